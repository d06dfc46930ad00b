/** A raw HTTP/1.1 client: the status line and headers exactly as they came off the socket. */
import { connect } from "node:net";

export interface RawAnswer {
  status: number;
  /** Header lines as sent, e.g. "Content-Length: 10". */
  lines: string[];
  header(name: string): string | undefined;
  body: Buffer;
}

export function rawGet(url: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const { hostname, port, pathname, search } = new URL(url);
  const head = [
    `GET ${pathname}${search} HTTP/1.1`,
    `Host: ${hostname}:${port}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    "Connection: close",
    "",
    "",
  ].join("\r\n");
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(head));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("end", () => {
      const all = Buffer.concat(chunks);
      resolve({ ...parseHead(all), body: all.subarray(all.indexOf("\r\n\r\n") + 4) });
    });
  });
}

export interface RawUpgrade extends Omit<RawAnswer, "body"> {
  /** The payload of the first text frame after the head (a server's frames are unmasked). */
  firstFrame: string | undefined;
}

/**
 * A WebSocket upgrade by hand: the head as it came off the socket and the first text frame
 * the server sent (or none within `waitMs`), then the connection is dropped.
 */
export function rawUpgrade(
  url: string,
  headers: Record<string, string>,
  waitMs = 2_000,
): Promise<RawUpgrade> {
  const { hostname, port, pathname, search } = new URL(url);
  const head = [
    `GET ${pathname}${search} HTTP/1.1`,
    `Host: ${hostname}:${port}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Version: 13",
    `Sec-WebSocket-Key: ${Buffer.from("wa-edge-raw-key!").toString("base64")}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    "",
    "",
  ].join("\r\n");
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(head));
    let all = Buffer.alloc(0);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const head = parseHead(all);
      const frame =
        head.status === 101 ? textFrame(all.subarray(all.indexOf("\r\n\r\n") + 4)) : undefined;
      resolve({ ...head, firstFrame: frame?.toString("utf8") });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on("data", (chunk) => {
      all = Buffer.concat([all, chunk]);
      const split = all.indexOf("\r\n\r\n");
      if (split < 0) return;
      // An upgrade is read up to its first frame; a refusal, to the end of its body.
      const rest = all.subarray(split + 4);
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(all.subarray(0, split).toString("latin1"));
      if (textFrame(rest) !== undefined || (length && rest.length >= Number(length[1]))) finish();
    });
    socket.on("error", reject);
  });
}

/** The payload of a complete unmasked text frame at the start of `bytes`, if one is there. */
function textFrame(bytes: Buffer): Buffer | undefined {
  if (bytes.length < 2 || bytes[0] !== 0x81) return undefined;
  const short = (bytes[1] ?? 0) & 0x7f;
  if (short === 127) return undefined;
  if (short === 126 && bytes.length < 4) return undefined;
  const [length, start] = short === 126 ? [bytes.readUInt16BE(2), 4] : [short, 2];
  return bytes.length >= start + length ? bytes.subarray(start, start + length) : undefined;
}

/** The status line and header lines of an answer, up to the blank line. */
function parseHead(all: Buffer): Omit<RawAnswer, "body"> {
  const lines = all.subarray(0, all.indexOf("\r\n\r\n")).toString("latin1").split("\r\n");
  const status = Number(lines.shift()?.split(" ")[1]);
  return {
    status,
    lines,
    header: (name) =>
      lines
        .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
        ?.slice(name.length + 1)
        .trim(),
  };
}
