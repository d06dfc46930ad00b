// PNG encoder for 8-bit RGB pictures, plus the two demo pictures: a small swatch and a heavy noise image.
import { crc32, deflateSync } from "node:zlib";
import { fillRandom, prng } from "../prng.ts";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))), 0);
  return Buffer.concat([head, data, crc]);
}

/** rgb holds width*height*3 bytes, row by row. */
export function encodePng(width: number, height: number, rgb: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    // Filter byte 0 (none) leads each row.
    rgb.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  }
  return Buffer.concat([
    SIGNATURE,
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw, { level: 6 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A small diagonal gradient whose colours come from the seed: a few hundred bytes. */
export function swatchPng(seed: number): Buffer {
  const next = prng(seed);
  const [r, g, b] = [next() & 0xff, next() & 0xff, next() & 0xff];
  const width = 96;
  const height = 64;
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      const shade = (x + y) * 2;
      rgb[o] = (r + shade) & 0xff;
      rgb[o + 1] = (g + shade) & 0xff;
      rgb[o + 2] = (b - shade) & 0xff;
    }
  }
  return encodePng(width, height, rgb);
}

/** Noise does not compress, so the file weighs about `approxBytes`: real weight for caches. */
export function noisePng(seed: number, approxBytes: number): Buffer {
  const width = 256;
  const height = Math.max(1, Math.round(approxBytes / (width * 3)));
  return encodePng(width, height, fillRandom(Buffer.alloc(width * height * 3), seed));
}
