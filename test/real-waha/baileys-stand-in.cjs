// A stand-in for the WhatsApp connection inside the real WAHA (NOWEB), loaded with
// `node --require` so that no WAHA file changes. WAHA's NOWEB engine takes its socket from
// Baileys' `makeWASocket`; this hands it a socket that never dials WhatsApp: it opens at
// once (the session goes WORKING), keeps Baileys' own event buffer, answers sends as
// Baileys does (the sent message, then its own `messages.upsert`), and lets a test inject
// Baileys events over HTTP (BAILEYS_STAND_IN_PORT): messages, receipts, reactions, edits,
// deletions, @lid mappings. WAHA's own converters, store and webhook sender do the rest.
// Plain CommonJS: it runs in WAHA's Node before WAHA's code.
"use strict";
const Module = require("node:module");
const http = require("node:http");

const ME = process.env.BAILEYS_STAND_IN_ME || "15550000000";
const PORT = Number(process.env.BAILEYS_STAND_IN_PORT || 0);

/** What the test can see and steer. */
const state = {
  socket: null,
  baileys: null,
  sent: [],
  lids: new Map(),
  files: new Map(),
  unknownCalls: new Set(),
  listening: false,
  sequence: 0,
  /** Sockets WAHA has made: one per session start or restart. */
  sockets: 0,
};

function messageId() {
  state.sequence += 1;
  return `3EB0${Date.now().toString(16).toUpperCase()}${String(state.sequence).padStart(6, "0")}`;
}

/** The content Baileys would build for what WAHA asks to send (the kinds WAHA Core sends). */
function contentOf(content, options) {
  if (typeof content.text === "string") {
    const quoted = options && options.quoted;
    if (!quoted) return { conversation: content.text };
    return {
      extendedTextMessage: {
        text: content.text,
        contextInfo: {
          stanzaId: quoted.key.id,
          participant: quoted.key.participant || quoted.key.remoteJid,
          quotedMessage: quoted.message,
        },
      },
    };
  }
  if (content.react) {
    return {
      reactionMessage: {
        key: content.react.key,
        text: content.react.text,
        senderTimestampMs: Date.now(),
      },
    };
  }
  if (content.delete) {
    return { protocolMessage: { key: content.delete, type: 0 } };
  }
  if (content.edit) {
    return {
      protocolMessage: {
        key: content.edit,
        type: 14,
        editedMessage: { conversation: content.text || "" },
      },
    };
  }
  return {};
}

function boom(statusCode, message) {
  const error = new Error(message);
  error.output = { statusCode, payload: { statusCode, message } };
  error.isBoom = true;
  return error;
}

function makeStandIn(baileys) {
  return function makeWASocket(config) {
    const ev = baileys.makeEventBuffer(config.logger);
    const user = { id: `${ME}:1@s.whatsapp.net`, name: "wa-edge test", lid: `${ME}99@lid` };
    if (config.auth && config.auth.creds) config.auth.creds.me = user;
    const ws = {
      isOpen: true,
      isClosed: false,
      isConnecting: false,
      isClosing: false,
      on() {},
      off() {},
      removeAllListeners() {},
      close() {},
    };
    const sock = {
      type: "md",
      ev,
      ws,
      user,
      authState: config.auth,
      signalRepository: {
        lidMapping: {
          async getPNForLID(lid) {
            return state.lids.get(String(lid).split("@")[0]) || null;
          },
          async getLIDForPN(pn) {
            for (const [lid, phone] of state.lids) if (phone === pn) return lid;
            return null;
          },
          async storeLIDPNMappings() {},
        },
      },
      async sendMessage(jid, content, options) {
        const id = (options && options.messageId) || messageId();
        let message;
        try {
          // Baileys' own message building (text as extendedTextMessage, reactions, edits,
          // deletions); only an upload, which needs WhatsApp, is not possible here.
          message = await baileys.generateWAMessage(jid, content, {
            logger: config.logger,
            userJid: user.id,
            ...options,
            messageId: id,
            upload: async () => {
              throw new Error("the stand-in cannot upload media");
            },
          });
        } catch {
          message = baileys.proto.WebMessageInfo.fromObject({
            key: { remoteJid: jid, fromMe: true, id },
            message: contentOf(content, options),
            messageTimestamp: Math.floor(Date.now() / 1000),
            status: 1,
          });
        }
        state.sent.push({ jid, content, id: message.key.id });
        // Baileys emits its own upsert for what it sent, just after answering.
        process.nextTick(() => ev.emit("messages.upsert", { messages: [message], type: "append" }));
        return message;
      },
      end(error) {
        ev.emit("connection.update", {
          connection: "close",
          lastDisconnect: { error: error || boom(428, "Connection Closed"), date: new Date() },
        });
      },
      async logout() {},
      async waitForConnectionUpdate() {},
      async onWhatsApp(...jids) {
        return jids.map((jid) => ({ jid, exists: true }));
      },
      async groupMetadata(jid) {
        return { id: jid, subject: "Test group", participants: [], owner: undefined };
      },
      async groupFetchAllParticipating() {
        return {};
      },
      async profilePictureUrl() {
        throw boom(404, "item-not-found");
      },
      async readMessages() {},
      async sendReceipt() {},
      async sendReceipts() {},
      async presenceSubscribe() {},
      async sendPresenceUpdate() {},
      async fetchStatus() {
        return undefined;
      },
      async updateMediaMessage(m) {
        return m;
      },
      async query() {
        return {};
      },
    };
    state.socket = sock;
    state.sockets += 1;
    listen();
    setTimeout(() => ev.emit("connection.update", { connection: "open" }), 50);
    // Anything else WAHA reads is absent, and remembered for the test to see.
    return new Proxy(sock, {
      get(target, name) {
        if (!(name in target) && typeof name === "string") state.unknownCalls.add(name);
        return target[name];
      },
    });
  };
}

/** Media "downloaded from WhatsApp": the bytes a test gave for the message, else a few. */
async function downloadMediaMessage(message) {
  const bytes = state.files.get(message.key.id);
  return bytes || Buffer.from(`stand-in media for ${message.key.id}`);
}

const load = Module._load;
Module._load = function standInLoad(request, parent, isMain) {
  const real = load.call(this, request, parent, isMain);
  if (request !== "@adiwajshing/baileys") return real;
  if (!state.baileys) {
    state.baileys = { ...real, default: makeStandIn(real), downloadMediaMessage };
  }
  return state.baileys;
};

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {});
      } catch (err) {
        reject(err);
      }
    });
  });
}

/**
 * A received message as Baileys hands it on: a plain record whose key keeps what the proto
 * has no field for (`remoteJidAlt`, `participantAlt`), and whose content is a proto Message.
 * (Baileys: src/Utils/decode-wa-message.ts, decodeMessageNode.)
 */
function revive(event, data) {
  if (event === "messages.upsert" && state.baileys) {
    const { proto } = state.baileys;
    return {
      ...data,
      messages: data.messages.map((m) => ({
        ...m,
        message: m.message ? proto.Message.fromObject(m.message) : m.message,
      })),
    };
  }
  return data;
}

/** The control server starts with the first socket: WAHA's own start must not see it. */
function listen() {
  if (!PORT || state.listening) return;
  state.listening = true;
  http
    .createServer(async (req, res) => {
      const reply = (status, body) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(body));
      };
      try {
        const url = new URL(req.url, "http://127.0.0.1");
        if (req.method === "POST" && url.pathname === "/emit") {
          const { event, data } = await readJson(req);
          if (!state.socket) return reply(409, { error: "no socket yet: start the session" });
          state.socket.ev.emit(event, revive(event, data));
          return reply(200, { ok: true });
        }
        if (req.method === "POST" && url.pathname === "/lids") {
          const { lid, pn } = await readJson(req);
          state.lids.set(String(lid).split("@")[0], pn);
          return reply(200, { ok: true });
        }
        if (req.method === "POST" && url.pathname === "/files") {
          const { id, base64 } = await readJson(req);
          state.files.set(id, Buffer.from(base64, "base64"));
          return reply(200, { ok: true });
        }
        if (req.method === "GET" && url.pathname === "/sent") return reply(200, state.sent);
        if (req.method === "GET" && url.pathname === "/sockets") return reply(200, state.sockets);
        if (req.method === "GET" && url.pathname === "/unknown") {
          return reply(200, [...state.unknownCalls]);
        }
        return reply(404, { error: "not-found" });
      } catch (err) {
        return reply(500, { error: String((err && err.stack) || err) });
      }
    })
    .listen(PORT, "127.0.0.1");
}
