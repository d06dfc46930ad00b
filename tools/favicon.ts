/**
 * The inbox's favicon, drawn here rather than kept as a binary: a 32×32 ICO (one 32-bit
 * BMP image) of a green round badge with a white speech bubble.
 */
const SIZE = 32;

/** RGBA of pixel (x, y), y from the top. */
function pixel(x: number, y: number): [number, number, number, number] {
  const cx = x + 0.5 - SIZE / 2;
  const cy = y + 0.5 - SIZE / 2;
  const r = Math.hypot(cx, cy);
  if (r > 15.5) return [0, 0, 0, 0];
  const edge = Math.min(1, 15.5 - r);
  // The bubble: an ellipse with a tail at its lower left.
  const inBubble = (cx / 9.5) ** 2 + ((cy + 1) / 7.5) ** 2 <= 1;
  const inTail = cy > 3 && cy < 10 && cx > -9 && cx < -3 && cx - cy > -13 && cx + cy < 3;
  if (inBubble || inTail) return [255, 255, 255, 255];
  return [11, 122, 90, Math.round(255 * edge)];
}

export function faviconIco(): Buffer {
  const pixels = Buffer.alloc(SIZE * SIZE * 4);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const [r, g, b, a] = pixel(x, y);
      // BMP rows run bottom-up, pixels as BGRA.
      const at = ((SIZE - 1 - y) * SIZE + x) * 4;
      pixels[at] = b;
      pixels[at + 1] = g;
      pixels[at + 2] = r;
      pixels[at + 3] = a;
    }
  }
  const mask = Buffer.alloc((SIZE / 8) * SIZE); // AND mask: all zero, the alpha decides.
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(SIZE, 4);
  header.writeInt32LE(SIZE * 2, 8); // the image and its mask
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  header.writeUInt32LE(pixels.length + mask.length, 20);
  const image = Buffer.concat([header, pixels, mask]);
  const dir = Buffer.alloc(6 + 16);
  dir.writeUInt16LE(0, 0);
  dir.writeUInt16LE(1, 2); // an icon
  dir.writeUInt16LE(1, 4); // one image
  dir.writeUInt8(SIZE, 6);
  dir.writeUInt8(SIZE, 7);
  dir.writeUInt16LE(1, 10);
  dir.writeUInt16LE(32, 12);
  dir.writeUInt32LE(image.length, 14);
  dir.writeUInt32LE(dir.length, 18);
  return Buffer.concat([dir, image]);
}
