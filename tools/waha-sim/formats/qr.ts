// QR Code Model 2 encoder (byte mode, error correction level L, versions 1-40) and a PNG of the
// symbol: the pairing QR the simulator serves is a real code a phone camera can read.
import { encodePng } from "./png.ts";

// Level L: error correction codewords per block and number of blocks, by version (index 0 unused).
const ECC_PER_BLOCK = [
  0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30,
  26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
];
const BLOCKS = [
  0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14,
  15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25,
];

/** Modules left for data and error correction once every function pattern is placed. */
function rawModules(version: number): number {
  let result = (16 * version + 128) * version + 64;
  if (version >= 2) {
    const align = Math.floor(version / 7) + 2;
    result -= (25 * align - 10) * align - 55;
    if (version >= 7) result -= 36;
  }
  return result;
}

function dataCodewords(version: number): number {
  return (
    Math.floor(rawModules(version) / 8) - (ECC_PER_BLOCK[version] ?? 0) * (BLOCKS[version] ?? 0)
  );
}

// GF(256) with the polynomial x^8 + x^4 + x^3 + x^2 + 1.
function gfMultiply(a: number, b: number): number {
  let result = 0;
  for (let i = 7; i >= 0; i--) {
    result = (result << 1) ^ ((result >>> 7) * 0x11d);
    result ^= ((b >>> i) & 1) * a;
  }
  return result & 0xff;
}

function rsGenerator(degree: number): number[] {
  const poly = new Array<number>(degree).fill(0);
  poly[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      poly[j] = gfMultiply(poly[j] ?? 0, root) ^ (poly[j + 1] ?? 0);
    }
    root = gfMultiply(root, 0x02);
  }
  return poly;
}

function rsRemainder(data: number[], generator: number[]): number[] {
  const result = new Array<number>(generator.length).fill(0);
  for (const byte of data) {
    const factor = byte ^ (result.shift() ?? 0);
    result.push(0);
    generator.forEach((coef, i) => {
      result[i] = (result[i] ?? 0) ^ gfMultiply(coef, factor);
    });
  }
  return result;
}

/** The codeword sequence: data in byte mode, padded, split into blocks, each with its ECC. */
function codewords(text: Buffer, version: number): number[] {
  const capacity = dataCodewords(version);
  const bits: number[] = [];
  const put = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  put(0b0100, 4);
  put(text.length, version <= 9 ? 8 : 16);
  for (const byte of text) put(byte, 8);
  put(0, Math.min(4, capacity * 8 - bits.length));
  while (bits.length % 8 !== 0) bits.push(0);
  const data: number[] = [];
  for (let i = 0; i < bits.length; i += 8) {
    data.push(bits.slice(i, i + 8).reduce((acc, bit) => (acc << 1) | bit, 0));
  }
  for (let pad = 0xec; data.length < capacity; pad ^= 0xec ^ 0x11) data.push(pad);

  const blocks = BLOCKS[version] ?? 1;
  const eccLength = ECC_PER_BLOCK[version] ?? 0;
  const total = Math.floor(rawModules(version) / 8);
  const shortBlocks = blocks - (total % blocks);
  const shortLength = Math.floor(total / blocks);
  const generator = rsGenerator(eccLength);
  const split: number[][] = [];
  for (let i = 0, k = 0; i < blocks; i++) {
    const length = shortLength - eccLength + (i < shortBlocks ? 0 : 1);
    const block = data.slice(k, k + length);
    k += length;
    const ecc = rsRemainder(block, generator);
    // Short blocks get a placeholder so every block interleaves at the same indices.
    if (i < shortBlocks) block.push(-1);
    split.push([...block, ...ecc]);
  }
  const result: number[] = [];
  for (let i = 0; i < (split[0]?.length ?? 0); i++) {
    for (const block of split) {
      const value = block[i] ?? -1;
      if (value >= 0) result.push(value);
    }
  }
  return result;
}

class Grid {
  readonly size: number;
  readonly dark: boolean[][];
  readonly reserved: boolean[][];

  constructor(version: number) {
    this.size = version * 4 + 17;
    this.dark = Array.from({ length: this.size }, () => new Array<boolean>(this.size).fill(false));
    this.reserved = Array.from({ length: this.size }, () =>
      new Array<boolean>(this.size).fill(false),
    );
  }

  set(x: number, y: number, dark: boolean): void {
    const row = this.dark[y];
    const reserved = this.reserved[y];
    if (!row || !reserved || x < 0 || x >= this.size) return;
    row[x] = dark;
    reserved[x] = true;
  }
}

function alignmentPositions(version: number): number[] {
  if (version === 1) return [];
  const count = Math.floor(version / 7) + 2;
  const step = version === 32 ? 26 : Math.ceil((version * 4 + 4) / (count * 2 - 2)) * 2;
  const positions = [6];
  for (let pos = version * 4 + 10; positions.length < count; pos -= step)
    positions.splice(1, 0, pos);
  return positions;
}

function functionPatterns(s: Grid, version: number): void {
  for (let i = 0; i < s.size; i++) {
    s.set(6, i, i % 2 === 0);
    s.set(i, 6, i % 2 === 0);
  }
  const finder = (cx: number, cy: number) => {
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        const d = Math.max(Math.abs(dx), Math.abs(dy));
        s.set(cx + dx, cy + dy, d !== 2 && d !== 4);
      }
    }
  };
  finder(3, 3);
  finder(s.size - 4, 3);
  finder(3, s.size - 4);
  const positions = alignmentPositions(version);
  for (const [i, y] of positions.entries()) {
    for (const [j, x] of positions.entries()) {
      const corner =
        (i === 0 && j === 0) ||
        (i === 0 && j === positions.length - 1) ||
        (i === positions.length - 1 && j === 0);
      if (corner) continue;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++)
          s.set(x + dx, y + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
      }
    }
  }
  if (version >= 7) {
    let rem = version;
    for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
    const bits = (version << 12) | rem;
    for (let i = 0; i < 18; i++) {
      const dark = ((bits >>> i) & 1) === 1;
      const a = s.size - 11 + (i % 3);
      const b = Math.floor(i / 3);
      s.set(a, b, dark);
      s.set(b, a, dark);
    }
  }
}

/** Format bits for level L and the mask, in both copies; the dark module beside the lower one. */
function formatBits(s: Grid, mask: number): void {
  const data = (0b01 << 3) | mask;
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
  const bits = ((data << 10) | rem) ^ 0x5412;
  const bit = (i: number) => ((bits >>> i) & 1) === 1;
  for (let i = 0; i <= 5; i++) s.set(8, i, bit(i));
  s.set(8, 7, bit(6));
  s.set(8, 8, bit(7));
  s.set(7, 8, bit(8));
  for (let i = 9; i < 15; i++) s.set(14 - i, 8, bit(i));
  for (let i = 0; i < 8; i++) s.set(s.size - 1 - i, 8, bit(i));
  for (let i = 8; i < 15; i++) s.set(8, s.size - 15 + i, bit(i));
  s.set(8, s.size - 8, true);
}

function placeData(s: Grid, data: number[], mask: number): void {
  let i = 0;
  for (let right = s.size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let vert = 0; vert < s.size; vert++) {
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        const upward = ((right + 1) & 2) === 0;
        const y = upward ? s.size - 1 - vert : vert;
        const row = s.dark[y];
        if (!row || s.reserved[y]?.[x]) continue;
        const byte = data[i >>> 3] ?? 0;
        let dark = i < data.length * 8 && ((byte >>> (7 - (i & 7))) & 1) === 1;
        i++;
        // Mask 0: flip modules where x + y is even.
        if (mask === 0 && (x + y) % 2 === 0) dark = !dark;
        row[x] = dark;
      }
    }
  }
}

/** The symbol for `text`, as rows of dark (true) and light modules. */
export function qrMatrix(text: string): boolean[][] {
  const bytes = Buffer.from(text, "utf8");
  let version = 1;
  while (version <= 40 && dataCodewords(version) < bytes.length + (version <= 9 ? 2 : 3)) version++;
  if (version > 40) throw new Error("qrMatrix: text too long for a QR code");
  const s = new Grid(version);
  functionPatterns(s, version);
  formatBits(s, 0);
  placeData(s, codewords(bytes, version), 0);
  return s.dark;
}

/** A PNG of the code, `scale` pixels a module with the four-module quiet zone around it. */
export function qrPng(text: string, scale = 6): Buffer {
  const matrix = qrMatrix(text);
  const size = (matrix.length + 8) * scale;
  const rgb = Buffer.alloc(size * size * 3, 0xff);
  matrix.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (!dark) return;
      for (let dy = 0; dy < scale; dy++) {
        const offset = (((y + 4) * scale + dy) * size + (x + 4) * scale) * 3;
        rgb.fill(0, offset, offset + scale * 3);
      }
    });
  });
  return encodePng(size, size, rgb);
}
