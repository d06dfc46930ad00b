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
      const split = all.indexOf("\r\n\r\n");
      const lines = all.subarray(0, split).toString("latin1").split("\r\n");
      const status = Number(lines.shift()?.split(" ")[1]);
      resolve({
        status,
        lines,
        header: (name) =>
          lines
            .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
            ?.slice(name.length + 1)
            .trim(),
        body: all.subarray(split + 4),
      });
    });
  });
}
