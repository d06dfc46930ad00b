/**
 * The open conversation: its messages (kept node by node, so a playing voice note is never
 * torn down by an update), the assign control for admins and users, and the send box.
 */
import type { ApiClient } from "../client/api-client.ts";
import type { Agent, Chat, Me, Message } from "../client/types.ts";
import { h, replaceChildren } from "./dom.ts";
import { ackLabel, describeError, formatTime, phoneOf } from "./format.ts";
import type { MediaView } from "./media-view.ts";

export interface ConversationDeps {
  api: ApiClient;
  media: MediaView;
  me: Me;
  /** Agents to assign to; undefined for agents, who cannot assign. */
  agents: () => Agent[] | undefined;
  onAssigned: (jid: string, agentId: string | null) => void;
  /** A message went out, so the chat list can show it without waiting for an event. */
  onSent: (jid: string, text: string) => void;
}

interface Row {
  item: HTMLLIElement;
  ack: HTMLElement | undefined;
}

/** Messages shown per chat (the gateway's page size). */
const PAGE = 50;

export class ConversationView {
  readonly element: HTMLElement;
  readonly #deps: ConversationDeps;
  readonly #title = h(
    "h2",
    { id: "conversation-title", class: "conversation__title" },
    "No chat open",
  );
  readonly #tools = h("div", { class: "conversation__tools" });
  readonly #list = h("ol", {
    class: "messages",
    role: "log",
    "aria-live": "polite",
    "aria-labelledby": "conversation-title",
  });
  readonly #notice = h("p", { class: "conversation__notice", role: "status" });
  readonly #composer: HTMLFormElement;
  readonly #input = h("textarea", {
    id: "composer-text",
    name: "text",
    rows: 2,
    required: true,
    placeholder: "Write a message",
    disabled: true,
  });
  readonly #send = h("button", { type: "submit", class: "composer__send", disabled: true }, "Send");
  readonly #sendError = h("p", { class: "composer__error", role: "alert" });

  #chat: Chat | undefined;
  #messages: Message[] = [];
  #rows = new Map<string, Row>();
  /** Bumped on every chat switch so a late answer for the previous chat is dropped. */
  #generation = 0;

  constructor(deps: ConversationDeps) {
    this.#deps = deps;
    this.#composer = h(
      "form",
      {
        class: "composer",
        "aria-label": "Send a message",
        onsubmit: (event) => this.#submit(event),
      },
      h("label", { for: "composer-text", class: "visually-hidden" }, "Message"),
      this.#input,
      this.#send,
      this.#sendError,
    );
    this.#input.addEventListener("keydown", (event) => {
      // Enter sends, Shift+Enter makes a new line.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.#composer.requestSubmit();
      }
    });
    this.element = h(
      "main",
      { class: "conversation", "aria-labelledby": "conversation-title" },
      h("header", { class: "conversation__header" }, this.#title, this.#tools),
      this.#notice,
      this.#list,
      this.#composer,
    );
    this.#notice.textContent = "Pick a chat on the left.";
  }

  get jid(): string | undefined {
    return this.#chat?.id;
  }

  /** Shows `chat` and loads its latest messages. */
  async open(chat: Chat): Promise<void> {
    const generation = ++this.#generation;
    this.#chat = chat;
    this.#messages = [];
    this.#rows.clear();
    this.#deps.media.reset();
    replaceChildren(this.#list);
    this.#sendError.textContent = "";
    this.#input.disabled = false;
    this.#send.disabled = false;
    this.update(chat);
    this.#notice.textContent = "Loading messages…";
    try {
      const messages = await this.#deps.api.messages(chat.id, PAGE);
      if (generation !== this.#generation) return;
      this.#notice.textContent = messages.length === 0 ? "No messages in this chat yet." : "";
      this.#setMessages(messages);
      this.#list.scrollTop = this.#list.scrollHeight;
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#notice.textContent = `Could not load the messages: ${describeError(error)}`;
    }
  }

  /** Shows nothing (the chat went away, e.g. reassigned from this agent). */
  close(reason: string): void {
    this.#generation += 1;
    this.#chat = undefined;
    this.#messages = [];
    this.#rows.clear();
    this.#deps.media.reset();
    replaceChildren(this.#list);
    replaceChildren(this.#tools);
    this.#title.textContent = "No chat open";
    this.#notice.textContent = reason;
    this.#input.disabled = true;
    this.#send.disabled = true;
  }

  /** Fetches the open chat's messages again (after a send, or when live updates resume). */
  async reload(): Promise<void> {
    const chat = this.#chat;
    if (!chat) return;
    const generation = this.#generation;
    try {
      const listed = chronological(await this.#deps.api.messages(chat.id, PAGE));
      if (generation !== this.#generation) return;
      // The list may be a few seconds old: keep what the socket delivered after its newest.
      const newest = listed.at(-1)?.timestamp ?? 0;
      const known = new Set(listed.map((m) => m.id));
      const later = this.#messages.filter((m) => !known.has(m.id) && m.timestamp >= newest);
      this.#setMessages([...listed, ...later]);
    } catch {
      // The next event or poll tries again; what is on screen stays.
    }
  }

  /** Header and assign control for the chat's current state. */
  update(chat: Chat): void {
    if (chat.id !== this.#chat?.id) return;
    this.#chat = chat;
    this.#title.textContent = chat.name || chat.id;
    replaceChildren(this.#tools, this.#assignControl(chat));
  }

  /** A message from the realtime socket; ignored when already shown. */
  add(message: Message): void {
    if (this.#messages.some((m) => m.id === message.id)) return;
    this.#setMessages([...this.#messages, message]);
  }

  setAck(id: string, ackName: string): void {
    const message = this.#messages.find((m) => m.id === id);
    if (!message) return;
    message.ackName = ackName;
    const row = this.#rows.get(id);
    if (row?.ack) row.ack.textContent = ackLabel(ackName);
  }

  #setMessages(messages: Message[]): void {
    const chat = this.#chat;
    if (!chat) return;
    const nearBottom =
      this.#list.scrollHeight - this.#list.scrollTop - this.#list.clientHeight < 80;
    const sorted = chronological(messages);
    const keep = new Set(sorted.map((m) => m.id));
    for (const [id, row] of this.#rows) {
      if (!keep.has(id)) {
        row.item.remove();
        this.#rows.delete(id);
      }
    }
    // Only new rows are inserted; existing ones never move, so their media keeps playing.
    sorted.forEach((message, index) => {
      let row = this.#rows.get(message.id);
      if (!row) {
        row = this.#row(chat, message);
        this.#rows.set(message.id, row);
      } else if (row.ack) {
        row.ack.textContent = ackLabel(message.ackName);
      }
      const at = this.#list.children[index];
      if (at !== row.item) this.#list.insertBefore(row.item, at ?? null);
    });
    this.#messages = sorted;
    if (sorted.length > 0) this.#notice.textContent = "";
    if (nearBottom) this.#list.scrollTop = this.#list.scrollHeight;
  }

  #row(chat: Chat, message: Message): Row {
    const sender =
      chat.isGroup && !message.fromMe && message.participant
        ? phoneOf(message.participant)
        : undefined;
    const ack = message.fromMe
      ? h("span", { class: "message__ack" }, ackLabel(message.ackName))
      : undefined;
    const media = this.#deps.media.render(chat.id, message);
    const body = message.body;
    const item = h(
      "li",
      {
        class: `message ${message.fromMe ? "message--out" : "message--in"}`,
        "data-id": message.id,
      },
      sender ? h("span", { class: "message__sender" }, sender) : null,
      media,
      body ? h("p", { class: "message__body" }, body) : null,
      h(
        "span",
        { class: "message__meta" },
        h(
          "time",
          { datetime: new Date(message.timestamp * 1000).toISOString() },
          formatTime(message.timestamp * 1000, true),
        ),
        ack ? " · " : null,
        ack,
      ),
    );
    return { item, ack };
  }

  #assignControl(chat: Chat): HTMLElement | null {
    const agents = this.#deps.agents();
    const { me } = this.#deps;
    if (!agents) {
      return h(
        "span",
        { class: "conversation__owner" },
        chat.owner === me.sub ? "Assigned to you" : "",
      );
    }
    const select = h("select", { id: "assign-select", name: "agent" });
    select.append(h("option", { value: "" }, "Unassigned"));
    const listed = agents.filter((a) => a.active || a.id === chat.owner);
    for (const agent of listed) {
      select.append(
        h("option", { value: agent.id }, agent.active ? agent.name : `${agent.name} (inactive)`),
      );
    }
    if (chat.owner && !listed.some((a) => a.id === chat.owner)) {
      select.append(h("option", { value: chat.owner }, chat.owner));
    }
    select.value = chat.owner ?? "";
    const status = h("span", { class: "assign__status", role: "status" });
    select.addEventListener("change", () => {
      const agentId = select.value === "" ? null : select.value;
      select.disabled = true;
      status.textContent = "Saving…";
      this.#deps.api.assign(chat.id, agentId).then(
        () => {
          select.disabled = false;
          status.textContent = "Saved";
          this.#deps.onAssigned(chat.id, agentId);
        },
        (error: unknown) => {
          select.disabled = false;
          select.value = chat.owner ?? "";
          status.textContent = `Not saved: ${describeError(error)}`;
        },
      );
    });
    return h(
      "div",
      { class: "assign" },
      h("label", { for: "assign-select" }, "Assigned to"),
      select,
      status,
    );
  }

  #submit(event: Event): void {
    event.preventDefault();
    const chat = this.#chat;
    const text = this.#input.value.trim();
    if (!chat || text === "") return;
    this.#send.disabled = true;
    this.#sendError.textContent = "";
    this.#deps.api.sendText(chat.id, text).then(
      () => {
        this.#send.disabled = false;
        this.#input.value = "";
        this.#input.focus();
        this.#deps.onSent(chat.id, text);
        void this.reload();
      },
      (error: unknown) => {
        this.#send.disabled = false;
        this.#sendError.textContent = `Not sent: ${describeError(error)}`;
      },
    );
  }
}

/**
 * Oldest first. Lists may come newest first (as WAHA answers); they are turned around
 * before a stable sort, so messages within one second keep the order they happened in.
 */
function chronological(messages: Message[]): Message[] {
  const first = messages[0];
  const last = messages.at(-1);
  const newestFirst = first !== undefined && last !== undefined && first.timestamp > last.timestamp;
  const ordered = newestFirst ? [...messages].reverse() : [...messages];
  return ordered.sort((a, b) => a.timestamp - b.timestamp);
}
