// MP4 files: the demo clip (a real 3 s VP9 video track, 192x144, that Chromium plays) and a
// broken one (ftyp, filler mdat, a moov with a movie header but no track) that no player can.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fillRandom } from "../prng.ts";

// Made once with: ffmpeg -f lavfi -i testsrc2=size=192x144:rate=12:duration=3 -c:v libvpx-vp9
// -b:v 120k -pix_fmt yuv420p -g 12 -an -fflags +bitexact -map_metadata -1 -movflags +faststart
const CLIP = readFileSync(path.join(import.meta.dirname, "clip.mp4"));

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

/** The demo clip, with a seeded `free` box at the end so each message's file is its own. */
export function demoClip(seed: number): Buffer {
  return Buffer.concat([CLIP, box("free", fillRandom(Buffer.alloc(64), seed))]);
}

/** An MP4 of the right type and magic that holds no decodable track. */
export function brokenMp4(seed: number, payloadBytes = 4096): Buffer {
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
