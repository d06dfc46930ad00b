// Maps WAHA paths to the endpoint names the stats and faults use, and to their handlers.

import { getQr } from "./api-auth.ts";
import { getMessage, listChats, listMessages } from "./api-chats.ts";
import { getContact, getProfilePicture } from "./api-contacts.ts";
import { editOrDelete } from "./api-edit.ts";
import { getFile } from "./api-files.ts";
import { countLids, findLidByPn, findPnByLid, listLids } from "./api-lids.ts";
import { sendMedia, sendSeen, sendText, setReaction } from "./api-send.ts";
import {
  getEnvironment,
  getServerStatus,
  getSession,
  getVersion,
  health,
  ping,
  restartSession,
  updateSession,
} from "./api-server.ts";
import type { Ctx } from "./context.ts";
import type { Reply } from "./reply.ts";
import type { Endpoint } from "./stats.ts";

export interface Route {
  endpoint: Endpoint;
  run(ctx: Ctx): Reply | Promise<Reply>;
}

function route(endpoint: Endpoint, run: (ctx: Ctx) => Reply | Promise<Reply>): Route {
  return { endpoint, run };
}

function postRoute(name: string | undefined): Route | undefined {
  switch (name) {
    case "sendText":
      return route("sendText", sendText);
    case "sendSeen":
      return route("sendSeen", sendSeen);
    case "sendImage":
    case "sendFile":
    case "sendVoice":
    case "sendVideo":
      return route(name, (ctx) => sendMedia(ctx, name));
    default:
      return undefined;
  }
}

/** /api/{session}/lids, /lids/count, /lids/{lid}, /lids/pn/{phone}. */
function lidsRoute(session: string, rest: string[]): Route | undefined {
  const [first, second] = rest;
  if (rest.length === 0) return route("lids", (ctx) => listLids(ctx, session));
  if (rest.length === 1 && first === "count")
    return route("lids", (ctx) => countLids(ctx, session));
  if (rest.length === 1 && first !== undefined)
    return route("lids", (ctx) => findPnByLid(ctx, session, first));
  if (rest.length === 2 && first === "pn" && second !== undefined)
    return route("lids", (ctx) => findLidByPn(ctx, session, second));
  return undefined;
}

export function findRoute(method: string, s: string[]): Route | undefined {
  const get = method === "GET" || method === "HEAD";
  const [a, b, c, d, e, f] = s;
  if (get && s.length === 1 && a === "ping") return route("ping", ping);
  if (get && s.length === 1 && a === "health") return route("health", health);
  if (a !== "api") return undefined;
  if (method === "POST" && s.length === 2) return postRoute(b);
  if (method === "PUT" && s.length === 2 && b === "reaction") return route("reaction", setReaction);
  if (b === "sessions" && c !== undefined) {
    if (method === "PUT" && s.length === 3)
      return route("session-update", (ctx) => updateSession(ctx, c));
    if (method === "POST" && s.length === 4 && d === "restart")
      return route("session-restart", (ctx) => restartSession(ctx, c));
  }
  if ((method === "PUT" || method === "DELETE") && s.length === 6 && c === "chats") {
    if (b === undefined || d === undefined || e !== "messages" || f === undefined) return undefined;
    const endpoint = method === "PUT" ? "message-edit" : "message-delete";
    return route(endpoint, (ctx) => editOrDelete(ctx, b, d, f));
  }
  if (!get || b === undefined) return undefined;
  if (b === "contacts" && s.length === 2) return route("contact", getContact);
  if (b === "contacts" && s.length === 3 && c === "profile-picture")
    return route("contact-picture", getProfilePicture);
  if (s.length === 3 && b === "server" && c === "version")
    return route("server-version", getVersion);
  if (s.length === 3 && b === "server" && c === "status")
    return route("server-status", getServerStatus);
  if (s.length === 3 && b === "server" && c === "environment")
    return route("server-environment", getEnvironment);
  if (s.length === 4 && b === "files" && c !== undefined && d !== undefined) {
    return route("file", (ctx) => getFile(ctx, c, d));
  }
  if (s.length === 3 && b === "sessions" && c !== undefined)
    return route("session", (ctx) => getSession(ctx, c));
  if (c === "lids") return lidsRoute(b, s.slice(3));
  if (s.length === 4 && c === "auth" && d === "qr") return route("qr", (ctx) => getQr(ctx, b));
  if (c !== "chats") return undefined;
  if (s.length === 3) return route("chats", (ctx) => listChats(ctx, b));
  if (d === undefined || e !== "messages") return undefined;
  if (s.length === 5) return route("messages", (ctx) => listMessages(ctx, b, d));
  if (s.length === 6 && f !== undefined) return route("message", (ctx) => getMessage(ctx, b, d, f));
  return undefined;
}
