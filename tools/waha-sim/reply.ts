// Answers as values: handlers build a Reply, one writer sends it (and can cut it short on purpose).
import type { ServerResponse } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Readable } from "node:stream";

export interface Reply {
  status: number;
  headers: Record<string, string | number>;
  body: Buffer | Readable;
}

export function json(
  status: number,
  value: unknown,
  headers: Record<string, string | number> = {},
): Reply {
  const body = Buffer.from(JSON.stringify(value), "utf8");
  return {
    status,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Length": body.length,
      ...headers,
    },
    body,
  };
}

export function empty(status: number): Reply {
  return { status, headers: { "Content-Length": 0 }, body: Buffer.alloc(0) };
}

/** NestJS's HttpException body, which WAHA answers for its errors. */
export function nestError(status: number, message: string | string[]): Reply {
  const reason = STATUS_CODES[status] ?? "Error";
  return json(status, { message, error: reason, statusCode: status });
}

/** WAHA's AvailableInPlusVersion (a 422) for a feature its Core tier lacks. */
// WAHA: src/core/exceptions.ts (AvailableInPlusVersion)
export function plusOnly(engine: string, feature = "The feature"): Reply {
  return nestError(
    422,
    `${feature} is available only in Plus version for '${engine}' engine. Check this out: https://waha.devlike.pro/`,
  );
}

/**
 * What WAHA answers when an engine throws something other than an HTTP error: a 500 with the
 * error serialised (message, name, stack), the request and the version.
 */
// WAHA: src/nestjs/AllExceptionsFilter.ts (catch, serializeError)
export function engineException(
  error: Error,
  request: { path: string; method: string; query: URLSearchParams },
  version: string,
): Reply {
  return json(500, {
    statusCode: 500,
    timestamp: new Date().toISOString(),
    exception: {
      message: error.message,
      name: error.name,
      stack: `${error.name}: ${error.message}`,
    },
    request: {
      path: request.path,
      method: request.method,
      body: {},
      query: Object.fromEntries(request.query),
    },
    version,
  });
}

/** WAHA's NotImplementedByEngineError (a 501) for a method the engine lacks. */
// WAHA: src/core/exceptions.ts (NotImplementedByEngineError)
export function notImplemented(engine: string): Reply {
  return nestError(
    501,
    `The method is not implemented by '${engine}' engine. Check the docs and try another engine: https://waha.devlike.pro/`,
  );
}

export function unauthorized(): Reply {
  return json(401, { message: "Unauthorized", statusCode: 401 });
}

export function routeNotFound(method: string, path: string): Reply {
  return nestError(404, `Cannot ${method} ${path}`);
}

/** What WAHA's exception filter answers when a file under /api/files is gone. */
export function fileNotFound(): Reply {
  return json(404, {
    error: {
      code: 404,
      key: "FILE_NOT_FOUND",
      message: "File not found",
      details: "File not found or no longer available",
    },
  });
}

/** An injected failure: Nest's generic 500 body, or the status's reason for other codes. */
export function faultReply(status: number, location?: string): Reply {
  if (status === 500) return json(500, { statusCode: 500, message: "Internal server error" });
  const headers: Record<string, string> = location ? { Location: location } : {};
  return json(status, { statusCode: status, message: STATUS_CODES[status] ?? "Error" }, headers);
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** Sends the status and body; with `cutAfter`, sends that many body bytes and then drops the socket. */
export async function sendReply(
  res: ServerResponse,
  reply: Reply,
  cutAfter?: number,
): Promise<void> {
  res.writeHead(reply.status, reply.headers);
  const cut = () => {
    res.socket?.destroy();
    res.destroy();
  };
  const { body } = reply;
  if (Buffer.isBuffer(body)) {
    if (cutAfter === undefined || cutAfter >= body.length) {
      res.end(body);
      return;
    }
    res.write(body.subarray(0, cutAfter), cut);
    return;
  }
  let sent = 0;
  try {
    for await (const chunk of body) {
      if (res.destroyed) return;
      let piece = chunk as Buffer;
      if (cutAfter !== undefined && sent + piece.length >= cutAfter) {
        piece = piece.subarray(0, cutAfter - sent);
        res.write(piece, cut);
        return;
      }
      sent += piece.length;
      if (!res.write(piece)) await drained(res);
    }
    res.end();
  } finally {
    body.destroy();
  }
}
