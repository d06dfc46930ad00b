// In-memory chats, messages and lid mappings, and which media files WAHA has "saved" and until when.
// Messages are keyed by their WhatsApp key, the part every engine's serialised id shares.
import type { DemoSet } from "./config.ts";
import { SimContacts } from "./contacts.ts";
import { buildDemoChats, demoLids } from "./data.ts";
import { ensureSuffix, isGroupId } from "./jids.ts";
import { defaultLook } from "./media.ts";
import type {
  Engine,
  MediaKind,
  MediaLook,
  MessageType,
  SimCard,
  SimChat,
  SimLocation,
  SimMedia,
  SimMessage,
} from "./model.ts";
import { keyOfId, messageIdOf, messageKey, messageTypeOf } from "./model.ts";

export interface NewMessage {
  chatId: string;
  body: string;
  fromMe: boolean;
  ack?: number;
  participant?: string;
  /** The sender's push name (theirs only). */
  senderName?: string;
  location?: SimLocation;
  card?: SimCard;
  /** A sticker: a picture WhatsApp declares as image/webp. */
  sticker?: boolean;
  media?: {
    kind: MediaKind;
    size?: number;
    missing?: boolean;
    filename?: string;
    look?: MediaLook;
    /** As the sender declared it, when it is not the kind's own. */
    mimetype?: string;
    bytes?: Buffer;
  };
  type?: MessageType;
  viaApi?: boolean;
  /** Key of the quoted message. */
  replyTo?: string;
  /** Seconds; now unless given (a burst, a history sync), never before the chat's last. */
  timestamp?: number;
}

/** Messages added after a reset beyond this many push the oldest added ones out. */
export const MAX_ADDED_MESSAGES = 20_000;
/** Uploaded file bytes kept at most; beyond, the oldest uploads fall back to generated content. */
export const MAX_UPLOADED_BYTES = 64 * 1024 * 1024;
/** lid mappings beyond this many push the oldest added ones out. */
const MAX_LIDS = 10_000;

function displayName(chatId: string): string {
  const user = chatId.split("@")[0] ?? chatId;
  return /^\d{11}$/.test(user)
    ? `+${user[0]} ${user.slice(1, 4)}-${user.slice(4, 7)}-${user.slice(7)}`
    : user;
}

export class Store {
  private chats = new Map<string, SimChat>();
  /** key → message. */
  private messages = new Map<string, SimMessage>();
  /** Keys of messages added since the reset, oldest first, for the cap. */
  private added: string[] = [];
  /** Keys of messages holding uploaded bytes, oldest first, and their total. */
  private uploads: string[] = [];
  private uploadedBytes = 0;
  /** key → when its file was saved (ms). */
  private saved = new Map<string, number>();
  /** lid → phone number (`@c.us`). */
  private lids = new Map<string, string>();
  /** Profile pictures and saved names. */
  readonly contacts = new SimContacts();
  private generation = 0;
  private sequence = 0;

  /** The simulator's time in ms (the real time, unless a test moved it). */
  private readonly clock: () => number;

  constructor(engine: Engine = "WEBJS", demo: DemoSet = "basic", clock: () => number = Date.now) {
    this.clock = clock;
    this.reset(engine, demo);
  }

  reset(engine: Engine, demo: DemoSet): void {
    this.chats.clear();
    this.messages.clear();
    this.saved.clear();
    this.lids.clear();
    this.contacts.clear();
    this.added = [];
    this.uploads = [];
    this.uploadedBytes = 0;
    this.generation++;
    this.sequence = 0;
    for (const chat of buildDemoChats(engine, demo)) {
      this.chats.set(chat.id, chat);
      for (const m of chat.messages) this.messages.set(m.key, m);
    }
    for (const { lid, pn } of demoLids(demo)) this.lids.set(lid, pn);
  }

  /** In the order chats were first seen. */
  listChats(): SimChat[] {
    return [...this.chats.values()];
  }

  /** By the simulator's own (`@c.us`, `@g.us`, `@lid`, …) id. */
  chat(chatId: string): SimChat | undefined {
    return this.chats.get(ensureSuffix(chatId));
  }

  /** By any engine's serialised id, or by the bare key. */
  message(messageId: string): SimMessage | undefined {
    return this.messages.get(keyOfId(messageId));
  }

  private chatFor(chatId: string): SimChat {
    const existing = this.chats.get(chatId);
    if (existing) return existing;
    const chat: SimChat = {
      id: chatId,
      name: displayName(chatId),
      isGroup: isGroupId(chatId),
      idShape: this.chats.size % 2 === 0 ? "string" : "object",
      unreadCount: 0,
      pinned: false,
      archived: false,
      messages: [],
    };
    this.chats.set(chatId, chat);
    return chat;
  }

  /** A key unique across resets, so ids a client cached before a reset never collide. */
  newKey(salt: string): string {
    return messageKey(`sim#${this.generation}#${++this.sequence}#${salt}`);
  }

  addMessage(input: NewMessage): SimMessage {
    const chat = this.chatFor(ensureSuffix(input.chatId));
    const key = this.newKey(chat.id);
    const last = chat.messages.at(-1);
    const message: SimMessage = {
      id: messageIdOf(chat.id, input.fromMe, key, input.participant),
      key,
      chatId: chat.id,
      // Never older than the chat's last message, so "newest first" stays true.
      timestamp: Math.max(input.timestamp ?? Math.floor(this.clock() / 1000), last?.timestamp ?? 0),
      fromMe: input.fromMe,
      body: input.body,
      type: "chat",
      ack: input.ack ?? 1,
    };
    if (input.participant) message.participant = input.participant;
    if (input.senderName && !input.fromMe) message.senderName = input.senderName;
    if (input.location) {
      message.location = input.location;
      message.type = "location";
      message.body = "";
    } else if (input.card) {
      message.card = input.card;
      message.type = "vcard";
      message.body = "";
    } else if (input.sticker) {
      input.media = { kind: "image/png", mimetype: "image/webp" };
      input.type = "sticker";
      message.body = "";
    }
    if (input.viaApi) message.viaApi = true;
    if (input.replyTo) message.replyTo = input.replyTo;
    if (input.media) {
      const { kind } = input.media;
      const mimetype =
        input.media.mimetype ?? (kind === "audio/ogg" ? "audio/ogg; codecs=opus" : kind);
      const media: SimMedia = {
        kind,
        mimetype,
        filename: input.media.filename ?? null,
        look: input.media.look ?? defaultLook(kind),
        missing: input.media.missing === true,
      };
      if (input.media.size !== undefined) media.size = input.media.size;
      if (input.media.bytes) {
        media.bytes = input.media.bytes;
        this.uploads.push(key);
        this.uploadedBytes += media.bytes.length;
        this.trimUploads();
      }
      message.media = media;
      message.type = input.type ?? messageTypeOf(kind, mimetype);
    }
    chat.messages.push(message);
    // A new message is in WhatsApp Web's memory as it arrives.
    if (chat.loaded !== undefined) chat.loaded++;
    this.messages.set(key, message);
    this.added.push(key);
    if (this.added.length > MAX_ADDED_MESSAGES) this.forget(this.added.shift());
    if (!input.fromMe) chat.unreadCount++;
    return message;
  }

  private trimUploads(): void {
    while (this.uploadedBytes > MAX_UPLOADED_BYTES && this.uploads.length > 0) {
      const media = this.messages.get(this.uploads.shift() ?? "")?.media;
      if (!media?.bytes) continue;
      this.uploadedBytes -= media.bytes.length;
      delete media.bytes;
    }
  }

  private forget(key: string | undefined): void {
    const message = key === undefined ? undefined : this.messages.get(key);
    if (!message) return;
    this.messages.delete(message.key);
    this.saved.delete(message.key);
    if (message.media?.bytes) {
      this.uploadedBytes -= message.media.bytes.length;
      delete message.media.bytes;
    }
    const chat = this.chats.get(message.chatId);
    if (!chat) return;
    const at = chat.messages.indexOf(message);
    if (at >= 0) chat.messages.splice(at, 1);
  }

  /** WhatsApp Web opened anew: every chat back to its first batch when next read. */
  unloadAll(): void {
    for (const chat of this.chats.values()) delete chat.loaded;
  }

  markSeen(chatId: string): boolean {
    const chat = this.chat(chatId);
    if (!chat) return false;
    chat.unreadCount = 0;
    return true;
  }

  /** Like WAHA's local storage: an existing file is reused, a gone one is downloaded and saved anew. */
  ensureSaved(key: string, now: number, lifetimeMs: number): boolean {
    if (this.isSaved(key, now, lifetimeMs)) return false;
    this.saved.set(key, now);
    return true;
  }

  /** A lifetime of 0 keeps files forever, as in WAHA. */
  isSaved(key: string, now: number, lifetimeMs: number): boolean {
    const at = this.saved.get(key);
    if (at === undefined) return false;
    if (lifetimeMs > 0 && now - at >= lifetimeMs) {
      this.saved.delete(key);
      return false;
    }
    return true;
  }

  savedAt(key: string): number | undefined {
    return this.saved.get(key);
  }

  /**
   * Deletes one saved file, or all of them; answers how many were deleted. `fromWhatsApp`:
   * WhatsApp no longer has the media either (its media servers keep files for a while only),
   * so WAHA's next download of it fails.
   */
  expire(messageId?: string, fromWhatsApp = false): number {
    if (fromWhatsApp) {
      const gone =
        messageId === undefined ? [...this.messages.values()] : [this.message(messageId)];
      for (const m of gone) if (m?.media) m.media.missing = true;
    }
    if (messageId === undefined) {
      const count = this.saved.size;
      this.saved.clear();
      return count;
    }
    return this.saved.delete(keyOfId(messageId)) ? 1 : 0;
  }

  addLid(lid: string, pn: string): void {
    this.lids.delete(lid);
    this.lids.set(lid, pn);
    if (this.lids.size > MAX_LIDS) {
      const oldest = this.lids.keys().next();
      if (!oldest.done) this.lids.delete(oldest.value);
    }
  }

  pnOfLid(lid: string): string | undefined {
    return this.lids.get(lid);
  }

  lidOfPn(pn: string): string | undefined {
    for (const [lid, known] of this.lids) if (known === pn) return lid;
    return undefined;
  }

  allLids(): Array<{ lid: string; pn: string }> {
    return [...this.lids].map(([lid, pn]) => ({ lid, pn }));
  }
}
