// Ogg Opus voice note: OpusHead and OpusTags pages, then pages of 20 ms silent Opus frames.

// Ogg's CRC-32: polynomial 0x04C11DB7, not reflected, zero start, no final xor (not zlib's CRC).
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

function oggCrc(data: Buffer): number {
  let crc = 0;
  for (const byte of data)
    crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ byte) & 0xff] ?? 0)) >>> 0;
  return crc;
}

function page(
  serial: number,
  sequence: number,
  granule: number,
  flags: number,
  packets: Buffer[],
): Buffer {
  const lacing: number[] = [];
  for (const p of packets) {
    let left = p.length;
    while (left >= 255) {
      lacing.push(255);
      left -= 255;
    }
    lacing.push(left);
  }
  const header = Buffer.alloc(27 + lacing.length);
  header.write("OggS", 0, "latin1");
  header[5] = flags;
  header.writeBigUInt64LE(BigInt(granule), 6);
  header.writeUInt32LE(serial >>> 0, 14);
  header.writeUInt32LE(sequence, 18);
  header[26] = lacing.length;
  Buffer.from(lacing).copy(header, 27);
  const out = Buffer.concat([header, ...packets]);
  out.writeUInt32LE(oggCrc(out), 22);
  return out;
}

function opusHead(): Buffer {
  const head = Buffer.alloc(19);
  head.write("OpusHead", 0, "latin1");
  head[8] = 1; // version
  head[9] = 1; // mono
  head.writeUInt16LE(312, 10); // pre-skip
  head.writeUInt32LE(48000, 12);
  return head;
}

function opusTags(vendor: string): Buffer {
  const v = Buffer.from(vendor, "utf8");
  const tags = Buffer.alloc(8 + 4 + v.length + 4);
  tags.write("OpusTags", 0, "latin1");
  tags.writeUInt32LE(v.length, 8);
  v.copy(tags, 12);
  return tags;
}

// A complete 20 ms CELT fullband frame that decodes to silence.
const SILENT_FRAME = Buffer.from([0xf8, 0xff, 0xfe]);
const FRAMES_PER_PAGE = 50;

/** serial tells files apart; seconds sets the length. */
export function silentOpus(serial: number, seconds: number): Buffer {
  const frames = Math.max(1, Math.round(seconds * 50));
  const pages = [
    page(serial, 0, 0, 0x02, [opusHead()]),
    page(serial, 1, 0, 0, [opusTags("waha-sim")]),
  ];
  let done = 0;
  let sequence = 2;
  while (done < frames) {
    const count = Math.min(FRAMES_PER_PAGE, frames - done);
    done += count;
    const last = done === frames;
    const packets = new Array<Buffer>(count).fill(SILENT_FRAME);
    pages.push(page(serial, sequence++, done * 960, last ? 0x04 : 0, packets));
  }
  return Buffer.concat(pages);
}
