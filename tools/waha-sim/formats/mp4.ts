// Minimal ISO BMFF (MP4) file: ftyp, an mdat with filler and a moov holding a movie header.
import { fillRandom } from "../prng.ts";

function box(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length + 8, 0);
  head.write(type, 4, "latin1");
  return Buffer.concat([head, body]);
}

function movieHeader(durationMs: number): Buffer {
  const mvhd = Buffer.alloc(100);
  // version 0, flags 0, creation and modification times 0
  mvhd.writeUInt32BE(1000, 12); // timescale: milliseconds
  mvhd.writeUInt32BE(durationMs, 16);
  mvhd.writeUInt32BE(0x00010000, 20); // rate 1.0
  mvhd.writeUInt16BE(0x0100, 24); // volume 1.0
  // Unity matrix.
  mvhd.writeUInt32BE(0x00010000, 36);
  mvhd.writeUInt32BE(0x00010000, 52);
  mvhd.writeUInt32BE(0x40000000, 68);
  mvhd.writeUInt32BE(2, 96); // next track id
  return mvhd;
}

export function tinyMp4(seed: number, payloadBytes = 4096): Buffer {
  const ftyp = Buffer.concat([
    Buffer.from("isom", "latin1"),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from("isomiso2mp41", "latin1"),
  ]);
  return Buffer.concat([
    box("ftyp", ftyp),
    box("mdat", fillRandom(Buffer.alloc(payloadBytes), seed)),
    box("moov", box("mvhd", movieHeader(3000))),
  ]);
}
