// Files of any size produced as a stream of deterministic 64 KiB blocks, never held whole in memory.
import { Readable } from "node:stream";
import { fillRandom } from "./prng.ts";

const BLOCK = 64 * 1024;

/**
 * Byte layout: a repeating seeded pattern; block 0 opens with `magic` so sniffers see the
 * declared type, and every later block opens with its index so a reordered or spliced
 * download does not compare equal to the original.
 */
export function bigFileStream(seed: number, size: number, magic: Buffer): Readable {
  // Blocks share one immutable pattern; only the 4-byte index is new memory, so a
  // multi-gigabyte download leaves no garbage behind for the collector to chase.
  const pattern = fillRandom(Buffer.alloc(BLOCK), seed);
  let offset = 0;
  let index = 0;
  return new Readable({
    highWaterMark: BLOCK * 2,
    read() {
      if (offset >= size) {
        this.push(null);
        return;
      }
      const length = Math.min(BLOCK, size - offset);
      offset += length;
      if (index === 0) {
        const first = Buffer.from(pattern.subarray(0, length));
        magic.copy(first, 0, 0, Math.min(magic.length, length));
        this.push(first);
      } else if (length > 4) {
        const head = Buffer.alloc(4);
        head.writeUInt32BE(index, 0);
        this.push(head);
        this.push(pattern.subarray(4, length));
      } else {
        this.push(pattern.subarray(0, length));
      }
      index++;
    },
  });
}
