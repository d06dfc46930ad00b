// The bytes behind each message's media: small real files made on demand, or a stream for sized ones.
import type { Readable } from "node:stream";
import { bigFileStream } from "./bigfile.ts";
import { mosaicJpeg } from "./formats/jpeg.ts";
import { brokenMp4, demoClip } from "./formats/mp4.ts";
import { silentOpus } from "./formats/ogg.ts";
import { textPdf } from "./formats/pdf.ts";
import { noisePng, swatchPng } from "./formats/png.ts";
import type { MediaKind, MediaLook, SimMedia } from "./model.ts";
import { fillRandom, seedOf } from "./prng.ts";

export interface MediaContent {
  contentType: string;
  length: number;
  open(): Buffer | Readable;
}

const DEFAULT_LOOK: Record<MediaKind, MediaLook> = {
  "image/jpeg": "mosaic",
  "image/png": "swatch",
  "application/pdf": "document",
  "audio/ogg": "voice",
  "video/mp4": "clip",
  "application/octet-stream": "blob",
};

// Leading bytes of each type, so streamed files still sniff as what they claim to be.
const MAGIC: Record<MediaKind, Buffer> = {
  "image/jpeg": Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
  "image/png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  "application/pdf": Buffer.from("%PDF-1.4\n", "latin1"),
  "audio/ogg": Buffer.from("OggS", "latin1"),
  "video/mp4": Buffer.from([0, 0, 0, 0x14, ...Buffer.from("ftypisom\0\0\x02\0isom", "latin1")]),
  "application/octet-stream": Buffer.alloc(0),
};

export function defaultLook(kind: MediaKind): MediaLook {
  return DEFAULT_LOOK[kind];
}

function render(kind: MediaKind, look: MediaLook, seed: number, media: SimMedia): Buffer {
  switch (look) {
    case "noise":
      return noisePng(seed, 50_000 + (seed % 100_000));
    case "swatch":
      return swatchPng(seed);
    case "mosaic":
      return mosaicJpeg(seed);
    case "document":
      return textPdf(
        media.filename ?? "Document",
        media.caption ?? `Reference ${seed.toString(16)}`,
      );
    case "voice":
      return silentOpus(seed, 2 + (seed % 9));
    case "clip":
      return demoClip(seed);
    case "broken":
      return brokenMp4(seed);
    case "blob":
      return fillRandom(Buffer.alloc(4096 + (seed % 4096)), seed);
    default:
      return render(kind, DEFAULT_LOOK[kind], seed, media);
  }
}

// Small files are cheap to rebuild; a bounded memo keeps list-heavy benchmarks off the encoders.
const MEMO_LIMIT = 256;
const memo = new Map<string, Buffer>();

function smallFile(messageId: string, media: SimMedia): Buffer {
  const key = `${messageId}|${media.look}`;
  const hit = memo.get(key);
  if (hit) return hit;
  const bytes = render(media.kind, media.look, seedOf(messageId), media);
  memo.set(key, bytes);
  if (memo.size > MEMO_LIMIT) {
    const oldest = memo.keys().next();
    if (!oldest.done) memo.delete(oldest.value);
  }
  return bytes;
}

export function mediaContent(messageId: string, media: SimMedia): MediaContent {
  const { size, bytes: uploaded } = media;
  if (uploaded) {
    const declared = media.mimetype.split(";")[0]?.trim() || media.kind;
    return { contentType: declared, length: uploaded.length, open: () => uploaded };
  }
  if (size !== undefined) {
    return {
      contentType: media.kind,
      length: size,
      open: () => bigFileStream(seedOf(messageId), size, MAGIC[media.kind]),
    };
  }
  const bytes = smallFile(messageId, media);
  return { contentType: media.kind, length: bytes.length, open: () => bytes };
}
