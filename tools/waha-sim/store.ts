// In-memory chats and messages, and which media files WAHA has "saved" and until when.
import { buildDemoChats } from "./data.ts";
import { defaultLook } from "./media.ts";
import type { MediaKind, SimChat, SimMedia, SimMessage } from "./model.ts";
import { ensureSuffix, messageIdOf, messageKey, messageTypeOf } from "./model.ts";

export interface NewMessage {
  chatId: string;
  body: string;
  fromMe: boolean;
  ack?: number;
  participant?: string;
  media?: {
    kind: MediaKind;
    size?: number;
    missing?: boolean;
    filename?: string;
    /** What WAHA reports instead of the kind's usual mimetype (any text, as a phone may send). */
    mimetype?: string;
  };
}

function displayName(chatId: string): string {
  const user = chatId.split("@")[0] ?? chatId;
  return /^\d{11}$/.test(user)
    ? `+${user[0]} ${user.slice(1, 4)}-${user.slice(4, 7)}-${user.slice(7)}`
    : user;
}

export class Store {
  private chats = new Map<string, SimChat>();
  private messages = new Map<string, SimMessage>();
  /** messageId → when its file was saved (ms). */
  private saved = new Map<string, number>();
  private generation = 0;
  private sequence = 0;

  constructor() {
    this.reset();
  }

  reset(): void {
    this.chats.clear();
    this.messages.clear();
    this.saved.clear();
    this.generation++;
    this.sequence = 0;
    for (const chat of buildDemoChats()) {
      this.chats.set(chat.id, chat);
      for (const m of chat.messages) this.messages.set(m.id, m);
    }
  }

  listChats(): SimChat[] {
    return [...this.chats.values()];
  }

  chat(chatId: string): SimChat | undefined {
    return this.chats.get(ensureSuffix(chatId));
  }

  message(messageId: string): SimMessage | undefined {
    return this.messages.get(messageId);
  }

  private chatFor(chatId: string): SimChat {
    const existing = this.chats.get(chatId);
    if (existing) return existing;
    const chat: SimChat = {
      id: chatId,
      name: displayName(chatId),
      isGroup: chatId.endsWith("@g.us"),
      idShape: this.chats.size % 2 === 0 ? "string" : "object",
      unreadCount: 0,
      pinned: false,
      archived: false,
      messages: [],
    };
    this.chats.set(chatId, chat);
    return chat;
  }

  addMessage(input: NewMessage): SimMessage {
    const chat = this.chatFor(ensureSuffix(input.chatId));
    // Unique across resets, so ids cached by a client before a reset never collide.
    const key = messageKey(`sim#${this.generation}#${++this.sequence}#${chat.id}`);
    const last = chat.messages.at(-1);
    const message: SimMessage = {
      id: messageIdOf(chat.id, input.fromMe, key, input.participant),
      chatId: chat.id,
      // Never older than the chat's last message, so "newest first" stays true.
      timestamp: Math.max(Math.floor(Date.now() / 1000), last?.timestamp ?? 0),
      fromMe: input.fromMe,
      body: input.body,
      type: "chat",
      ack: input.ack ?? 1,
    };
    if (input.participant) message.participant = input.participant;
    if (input.media) {
      const { kind } = input.media;
      const mimetype =
        input.media.mimetype ?? (kind === "audio/ogg" ? "audio/ogg; codecs=opus" : kind);
      const media: SimMedia = {
        kind,
        mimetype,
        filename: input.media.filename ?? null,
        look: defaultLook(kind),
        missing: input.media.missing === true,
      };
      if (input.media.size !== undefined) media.size = input.media.size;
      message.media = media;
      message.type = messageTypeOf(kind, mimetype);
    }
    chat.messages.push(message);
    this.messages.set(message.id, message);
    if (!input.fromMe) chat.unreadCount++;
    return message;
  }

  markSeen(chatId: string): boolean {
    const chat = this.chat(chatId);
    if (!chat) return false;
    chat.unreadCount = 0;
    return true;
  }

  /** Like WAHA's local storage: an existing file is reused, a gone one is downloaded and saved anew. */
  ensureSaved(messageId: string, now: number, lifetimeMs: number): void {
    if (!this.isSaved(messageId, now, lifetimeMs)) this.saved.set(messageId, now);
  }

  /** A lifetime of 0 keeps files forever, as in WAHA. */
  isSaved(messageId: string, now: number, lifetimeMs: number): boolean {
    const at = this.saved.get(messageId);
    if (at === undefined) return false;
    if (lifetimeMs > 0 && now - at >= lifetimeMs) {
      this.saved.delete(messageId);
      return false;
    }
    return true;
  }

  savedAt(messageId: string): number | undefined {
    return this.saved.get(messageId);
  }

  /** Deletes one saved file, or all of them; answers how many were deleted. */
  expire(messageId?: string): number {
    if (messageId === undefined) {
      const count = this.saved.size;
      this.saved.clear();
      return count;
    }
    return this.saved.delete(messageId) ? 1 : 0;
  }
}
