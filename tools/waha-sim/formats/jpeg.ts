// Baseline JPEG encoder for pictures made of flat 8x8 blocks: only DC coefficients are coded,
// which keeps the encoder tiny while the result decodes in any viewer.
import { prng } from "../prng.ts";

type Rgb = readonly [number, number, number];

class BitWriter {
  private bytes: number[] = [];
  private acc = 0;
  private count = 0;

  write(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >>> i) & 1);
      this.count++;
      if (this.count === 8) this.flushByte();
    }
  }

  private flushByte(): void {
    this.bytes.push(this.acc);
    // 0xFF in entropy-coded data must be followed by a stuffed zero.
    if (this.acc === 0xff) this.bytes.push(0);
    this.acc = 0;
    this.count = 0;
  }

  finish(): Buffer {
    // Pad the last byte with one-bits, as the standard asks.
    while (this.count !== 0) this.write(1, 1);
    return Buffer.from(this.bytes);
  }
}

function segment(marker: number, body: number[]): Buffer {
  const len = body.length + 2;
  return Buffer.from([0xff, marker, len >> 8, len & 0xff, ...body]);
}

// DC table: categories 0..11, all with 4-bit codes (0000..1011). AC table: only EOB, code "0".
const DC_COUNTS = [0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const DC_SYMBOLS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const AC_COUNTS = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

function toYCbCr([r, g, b]: Rgb): Rgb {
  return [
    0.299 * r + 0.587 * g + 0.114 * b,
    128 - 0.168736 * r - 0.331264 * g + 0.5 * b,
    128 + 0.5 * r - 0.418688 * g - 0.081312 * b,
  ];
}

function category(v: number): number {
  let n = Math.abs(v);
  let bits = 0;
  while (n > 0) {
    bits++;
    n >>= 1;
  }
  return bits;
}

/** colourAt gives the flat colour of block (bx, by). */
export function encodeBlockJpeg(
  blocksWide: number,
  blocksHigh: number,
  colourAt: (bx: number, by: number) => Rgb,
): Buffer {
  const width = blocksWide * 8;
  const height = blocksHigh * 8;
  const bits = new BitWriter();
  const previous = [0, 0, 0];
  for (let by = 0; by < blocksHigh; by++) {
    for (let bx = 0; bx < blocksWide; bx++) {
      const ycc = toYCbCr(colourAt(bx, by));
      for (let c = 0; c < 3; c++) {
        // With a quantiser of 1, a flat block's DC coefficient is 8 * (sample - 128).
        const dc = Math.round(8 * (Math.min(255, Math.max(0, ycc[c] ?? 0)) - 128));
        const diff = dc - (previous[c] ?? 0);
        previous[c] = dc;
        const size = category(diff);
        bits.write(size, 4);
        if (size > 0) bits.write(diff > 0 ? diff : diff + (1 << size) - 1, size);
        bits.write(0, 1); // EOB: every AC coefficient is zero
      }
    }
  }
  const jfif = [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const components = [1, 2, 3].flatMap((id) => [id, 0x11, 0]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, jfif),
    segment(0xdb, [0, ...new Array<number>(64).fill(1)]),
    segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, ...components]),
    segment(0xc4, [0x00, ...DC_COUNTS, ...DC_SYMBOLS]),
    segment(0xc4, [0x10, ...AC_COUNTS, 0x00]),
    segment(0xda, [3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]),
    bits.finish(),
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** A 128x96 mosaic blending two colours picked from the seed: well under 1 KB. */
export function mosaicJpeg(seed: number): Buffer {
  const next = prng(seed);
  const from: Rgb = [next() & 0xff, next() & 0xff, next() & 0xff];
  const to: Rgb = [next() & 0xff, next() & 0xff, next() & 0xff];
  const wide = 16;
  const high = 12;
  return encodeBlockJpeg(wide, high, (bx, by) => {
    const t = (bx + by) / (wide + high - 2);
    const mix = (i: 0 | 1 | 2) => from[i] + (to[i] - from[i]) * t;
    return [mix(0), mix(1), mix(2)];
  });
}
