/**
 * The open conversation: its header (who, assignment, first-response time), the messages
 * in true order with older pages on scrolling up, our sends on their way, and the send
 * box. A page that fails to load tries again by itself and says when.
 */
import type { ApiClient } from "../client/api-client.ts";
import { insertLive, mergeNewest, prependOlder } from "../client/message-order.ts";
import { RetryingLoad } from "../client/retrying-load.ts";
import type { PendingSend } from "../client/send-tracker.ts";
import type { Agent, Chat, Me, Message } from "../client/types.ts";
import { AssignControl } from "./assign-control.ts";
import { Composer, type Draft } from "./composer.ts";
import { type Countdown, countdown } from "./countdown.ts";
import { h, replaceChildren } from "./dom.ts";
import { describeError, phoneOf } from "./format.ts";
import type { MediaView } from "./media-view.ts";
import { MessageList } from "./message-list.ts";

export interface ConversationDeps {
  api: ApiClient;
  media: MediaView;
  me: Me;
  agents: () => Agent[] | undefined;
  pending: (jid: string) => PendingSend[];
  onAssigned: (jid: string, agentId: string | null) => void;
  onSend: (chat: Chat, draft: Draft) => void;
  onRetrySend: (clientId: string) => void;
  onReact: (chat: Chat, message: Message, reaction: string) => void;
  /** Narrow screens: back to the chat list. */
  onBack: () => void;
}

/** Messages per page (the gateway's default). */
const PAGE = 50;
/** Pages read back at most to find a search hit. */
const REVEAL_PAGES = 10;

export class ConversationView {
  readonly element: HTMLElement;
  readonly #deps: ConversationDeps;
  readonly #title = h(
    "h2",
    { id: "conversation-title", class: "conversation__title" },
    "No chat open",
  );
  readonly #subtitle = h("p", { class: "conversation__subtitle" });
  readonly #assign: AssignControl;
  readonly #notice = h("p", { class: "conversation__notice", role: "status" });
  readonly #list: MessageList;
  readonly #composer: Composer;
  #chat: Chat | undefined;
  #messages: Message[] = [];
  #loader: RetryingLoad<Message[]> | undefined;
  #countdown: Countdown | undefined;
  #olderLoading = false;
  #atStart = false;
  /** Bumped on every chat switch so a late answer for the previous chat is dropped. */
  #generation = 0;
  #wantReveal: string | undefined;
  #reloadTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(deps: ConversationDeps) {
    this.#deps = deps;
    this.#assign = new AssignControl({
      api: deps.api,
      me: deps.me,
      agents: deps.agents,
      onAssigned: deps.onAssigned,
    });
    this.#list = new MessageList({
      media: deps.media,
      actions: {
        reply: (message) => this.#composer.setReply(message, this.#chat?.name ?? ""),
        react: (message, reaction) => {
          if (this.#chat) deps.onReact(this.#chat, message, reaction);
        },
        reveal: (id) => void this.reveal(id),
      },
      onOlder: () => void this.#older(),
      onRetrySend: deps.onRetrySend,
    });
    this.#composer = new Composer((draft) => {
      if (this.#chat) deps.onSend(this.#chat, draft);
    });
    const back = h(
      "button",
      { type: "button", class: "conversation__back", onclick: () => deps.onBack() },
      "‹ Chats",
    );
    this.element = h(
      "main",
      { class: "conversation", "aria-labelledby": "conversation-title" },
      h(
        "header",
        { class: "conversation__header" },
        back,
        h("div", { class: "conversation__who" }, this.#title, this.#subtitle),
        this.#assign.element,
      ),
      this.#notice,
      this.#list.element,
      this.#composer.element,
    );
    this.#notice.textContent = "Pick a chat on the left.";
  }

  get jid(): string | undefined {
    return this.#chat?.id;
  }

  get composer(): Composer {
    return this.#composer;
  }

  /** Shows `chat` and loads its newest messages; `reveal` scrolls to one of them. */
  open(chat: Chat, reveal?: string): void {
    const generation = ++this.#generation;
    this.#stopLoading();
    this.#chat = chat;
    this.#messages = [];
    this.#atStart = false;
    this.#olderLoading = false;
    this.#wantReveal = reveal;
    this.#deps.media.reset();
    this.#list.reset(chat);
    this.#composer.clear();
    this.#composer.setEnabled(true);
    this.#assign.open(chat);
    this.update(chat);
    this.#notice.textContent = "Loading messages…";
    this.#loader = new RetryingLoad({
      load: () => this.#deps.api.messages(chat.id, { limit: PAGE }),
      onValue: (page) => {
        if (generation !== this.#generation) return;
        this.#stopCountdown();
        const first = this.#messages.length === 0;
        // A newest page read again says nothing about the start when older pages are shown.
        if (first) this.#atStart = page.length < PAGE;
        this.#set(mergeNewest(this.#messages, page));
        this.#notice.textContent =
          this.#messages.length === 0 ? "No messages in this chat yet." : "";
        this.pendingChanged();
        if (first) this.#list.scrollToEnd();
        const wanted = this.#wantReveal;
        this.#wantReveal = undefined;
        if (wanted) void this.reveal(wanted);
      },
      onError: (error, retryAt) => {
        if (generation !== this.#generation) return;
        this.#showLoadError(error, retryAt);
      },
    });
    this.#loader.now();
    this.pendingChanged();
  }

  /** Shows nothing (the chat went away, e.g. reassigned from this agent). */
  close(reason: string): void {
    this.#generation += 1;
    this.#stopLoading();
    this.#chat = undefined;
    this.#messages = [];
    this.#deps.media.reset();
    this.#list.reset(undefined);
    this.#assign.open(undefined);
    this.#title.textContent = "No chat open";
    this.#subtitle.textContent = "";
    this.#notice.textContent = reason;
    this.#composer.setEnabled(false);
  }

  /** Reads the newest page again (live updates resumed, a resync, WAHA back). */
  reload(): void {
    this.#loader?.now();
  }

  #reloadSoon(): void {
    clearTimeout(this.#reloadTimer);
    this.#reloadTimer = setTimeout(() => this.reload(), 300);
  }

  /** Header and assign control for the chat's current state. */
  update(chat: Chat): void {
    if (chat.id !== this.#chat?.id) return;
    this.#chat = chat;
    this.#title.textContent = chat.name || chat.id;
    const phone = phoneOf(chat.id);
    this.#subtitle.textContent = chat.isGroup ? "Group" : phone !== chat.name ? phone : "";
    this.#assign.update(chat);
  }

  /** The first-response time may have changed (we answered, it was reassigned). */
  refreshTimes(): void {
    this.#assign.refreshTimes();
  }

  setAttachments(allowed: boolean): void {
    this.#composer.setAttachments(allowed);
  }

  /** A message from the realtime socket, or (`onlyIfAbsent`) one we just sent. */
  add(message: Message, onlyIfAbsent = false): void {
    if (!this.#chat) return;
    if (onlyIfAbsent && this.#messages.some((m) => m.id === message.id)) return;
    this.#set(insertLive(this.#messages, message));
    this.#notice.textContent = "";
    // A live reply names no quote (the frame carries only that it is one): the store has it.
    if (message.replyTo && message.replyTo.id === null) this.#reloadSoon();
  }

  /** Changes one shown message (an ack, an edit, a deletion, a reaction). */
  patch(id: string, change: (message: Message) => Message): void {
    const at = this.#messages.findIndex((m) => m.id === id);
    const message = this.#messages[at];
    if (!message) return;
    const next = [...this.#messages];
    next[at] = change(message);
    this.#set(next);
  }

  pendingChanged(): void {
    const chat = this.#chat;
    if (chat) this.#list.setPending(this.#deps.pending(chat.id));
  }

  /** Scrolls to a message, reading older pages back until it is there (or giving up). */
  async reveal(id: string): Promise<boolean> {
    const generation = this.#generation;
    for (let page = 0; page < REVEAL_PAGES; page++) {
      if (this.#list.reveal(id)) return true;
      if (this.#atStart || !(await this.#older())) break;
      if (generation !== this.#generation) return false;
    }
    return this.#list.reveal(id);
  }

  #set(messages: Message[]): void {
    this.#messages = messages;
    this.#list.set(messages);
    this.#list.setOlder(this.#atStart ? "start" : "more");
  }

  /** One older page; answers whether it got one. */
  async #older(): Promise<boolean> {
    const chat = this.#chat;
    const oldest = this.#messages[0];
    if (!chat || !oldest || this.#olderLoading || this.#atStart) return false;
    const generation = this.#generation;
    this.#olderLoading = true;
    this.#list.setOlder("loading");
    try {
      const page = await this.#deps.api.messages(chat.id, { limit: PAGE, beforeId: oldest.id });
      if (generation !== this.#generation) return false;
      this.#atStart = page.length < PAGE;
      this.#set(prependOlder(this.#messages, page));
      return page.length > 0;
    } catch (error) {
      if (generation !== this.#generation) return false;
      this.#list.setOlder("error", `Could not load older messages: ${describeError(error)}`);
      return false;
    } finally {
      if (generation === this.#generation) this.#olderLoading = false;
    }
  }

  #showLoadError(error: unknown, retryAt: number | undefined): void {
    this.#stopCountdown();
    const shown = this.#messages.length > 0;
    const text = `Could not load the messages: ${describeError(error)}.`;
    const when = h("span", {});
    const retry = h(
      "button",
      { type: "button", class: "link-button", onclick: () => this.#loader?.now() },
      "Try now",
    );
    // What is on screen stays; the note only says it may be out of date.
    replaceChildren(
      this.#notice,
      shown ? "These messages may be out of date. " : text,
      " ",
      when,
      " ",
      retryAt === undefined ? null : retry,
    );
    if (retryAt !== undefined) {
      this.#countdown = countdown(
        retryAt,
        (s) => {
          when.textContent = `Trying again in ${s} s.`;
        },
        () => {
          when.textContent = "Trying again…";
        },
      );
    }
  }

  #stopCountdown(): void {
    this.#countdown?.cancel();
    this.#countdown = undefined;
  }

  #stopLoading(): void {
    this.#loader?.stop();
    this.#loader = undefined;
    this.#stopCountdown();
  }
}
