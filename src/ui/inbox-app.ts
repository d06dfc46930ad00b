/**
 * The signed-in page: header, chat list and conversation, kept current by the realtime
 * socket; while the socket is down, the status poller's rhythm refreshes the lists instead.
 */
import type { ApiClient } from "../client/api-client.ts";
import { sessionStatusOf } from "../client/api-client.ts";
import { ApiError } from "../client/api-error.ts";
import { MediaQueue } from "../client/media-queue.ts";
import { RealtimeConnection, realtimeUrl } from "../client/realtime.ts";
import type { RealtimeEvent } from "../client/realtime-events.ts";
import { StatusPoller } from "../client/status-poller.ts";
import type { Agent, Chat, Me, Message, PollingConfig } from "../client/types.ts";
import { documentVisibility } from "../client/visibility.ts";
import { renderChatList } from "./chat-list.ts";
import { ConversationView } from "./conversation-view.ts";
import { h } from "./dom.ts";
import { describeError } from "./format.ts";
import { HeaderView } from "./header-view.ts";
import { MediaView } from "./media-view.ts";

export interface InboxDeps {
  api: ApiClient;
  me: Me;
  config: PollingConfig;
  onSignOut: () => void;
}

/** Chat-list refreshes triggered by events are bunched up this long. */
const REFRESH_DEBOUNCE_MS = 500;

export class InboxApp {
  readonly element: HTMLElement;
  readonly #api: ApiClient;
  readonly #me: Me;
  readonly #header: HeaderView;
  readonly #chatList = h("ul", { class: "chat-list" });
  readonly #listNote = h("p", { class: "sidebar__note", role: "status" });
  readonly #queue: MediaQueue;
  readonly #conversation: ConversationView;
  readonly #poller: StatusPoller;
  readonly #realtime: RealtimeConnection;
  readonly #visibility = documentVisibility();

  #chats: Chat[] = [];
  #agents: Agent[] | undefined;
  #everLive = false;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(deps: InboxDeps) {
    this.#api = deps.api;
    this.#me = deps.me;
    this.#header = new HeaderView(deps.me, deps.onSignOut);
    this.#queue = new MediaQueue({ load: (key) => this.#api.media(key.jid, key.id) });
    this.#conversation = new ConversationView({
      api: this.#api,
      media: new MediaView(this.#queue),
      me: deps.me,
      agents: () => this.#agents,
      onAssigned: (jid, agentId) => this.#assigned(jid, agentId),
      onSent: (jid, text) => this.#sent(jid, text),
    });
    this.#poller = new StatusPoller({
      config: deps.config,
      check: async () => sessionStatusOf(await this.#api.wahaStatus()),
      onStatus: (status) => {
        this.#header.setStatus(status);
        // Polling only runs while the socket is down: keep the lists fresh the same way.
        if (!this.#realtime.live) this.#catchUp();
      },
      onError: (error, nextInMs) => this.#header.setStatusError(describeError(error), nextInMs),
      visibility: this.#visibility,
    });
    this.#realtime = new RealtimeConnection({
      ticket: async () => (await this.#api.realtimeTicket()).ticket,
      url: (ticket) => realtimeUrl(window.location, ticket),
      pingIntervalMs: deps.config.pingInterval,
      onEvent: (event) => this.#onEvent(event),
      onLiveChange: (live) => {
        this.#poller.setRealtimeLive(live);
        this.#header.setLive(live);
        // Back after a drop: fetch what the socket may have missed.
        if (live && this.#everLive) this.#catchUp();
        if (live) this.#everLive = true;
      },
      onReconnectScheduled: (delayMs) => this.#header.setLive(false, delayMs),
    });
    this.element = h(
      "div",
      { class: "app" },
      this.#header.element,
      h(
        "div",
        { class: "layout" },
        h(
          "nav",
          { class: "sidebar", "aria-labelledby": "chats-title" },
          h("h2", { id: "chats-title", class: "sidebar__title" }, "Chats"),
          this.#listNote,
          this.#chatList,
        ),
        this.#conversation.element,
      ),
    );
  }

  async start(): Promise<void> {
    this.#listNote.textContent = "Loading chats…";
    const canAssign = this.#me.role !== "agent";
    const [chats, agents] = await Promise.allSettled([
      this.#api.chats(),
      canAssign ? this.#api.agents() : Promise.resolve(undefined),
    ]);
    if (agents.status === "fulfilled") this.#agents = agents.value;
    else if (canAssign) this.#agents = [];
    if (chats.status === "fulfilled") {
      this.#chats = chats.value;
      this.#listNote.textContent = "";
    } else {
      this.#listNote.textContent = `Could not load the chats: ${describeError(chats.reason)}`;
    }
    this.#renderList();
    this.#poller.start();
    this.#realtime.start();
    const wanted = new URLSearchParams(window.location.hash.slice(1)).get("chat");
    if (wanted && this.#chats.some((c) => c.id === wanted)) this.#select(wanted);
  }

  stop(): void {
    this.#poller.stop();
    this.#realtime.stop();
    this.#queue.clear();
    clearTimeout(this.#refreshTimer);
  }

  #renderList(): void {
    const names = this.#agents ? new Map(this.#agents.map((a) => [a.id, a.name])) : undefined;
    renderChatList(this.#chatList, {
      chats: this.#chats,
      selected: this.#conversation.jid,
      agentNames: names,
      onSelect: (jid) => this.#select(jid),
    });
  }

  #select(jid: string): void {
    const chat = this.#chats.find((c) => c.id === jid);
    if (!chat) return;
    // Media of the chat being left is no longer wanted; downloads under way still finish.
    this.#queue.cancelQueued();
    window.history.replaceState(null, "", `#chat=${encodeURIComponent(jid)}`);
    void this.#conversation.open(chat);
    if (chat.unreadCount > 0) {
      chat.unreadCount = 0;
      this.#markRead(jid);
    }
    this.#renderList();
  }

  #markRead(jid: string): void {
    this.#api.markRead(jid).catch((error: unknown) => {
      if (!(error instanceof ApiError && error.status === 401))
        console.warn(`mark-read ${jid}: ${describeError(error)}`);
    });
  }

  #onEvent(event: RealtimeEvent): void {
    switch (event.type) {
      case "session.status":
        this.#header.setStatus(event.status);
        break;
      case "message.new":
        this.#newMessage(event.jid, event.message);
        break;
      case "message.status":
        if (this.#conversation.jid === event.jid) this.#conversation.setAck(event.id, event.status);
        break;
      case "chat.assigned":
        this.#assigned(event.jid, event.agentId);
        break;
    }
  }

  #newMessage(jid: string, message: Message): void {
    const open = this.#conversation.jid === jid;
    const chat = this.#chats.find((c) => c.id === jid);
    if (open) this.#conversation.add(message);
    if (!chat) {
      this.#refreshSoon();
      return;
    }
    chat.preview = message.body || (message.hasMedia ? "[media]" : null);
    chat.lastMessageAt = new Date(message.timestamp * 1000).toISOString();
    if (!message.fromMe) {
      if (open && this.#visibility.visible()) this.#markRead(jid);
      else chat.unreadCount += 1;
    }
    this.#chats = [chat, ...this.#chats.filter((c) => c !== chat)];
    this.#renderList();
  }

  #sent(jid: string, text: string): void {
    const chat = this.#chats.find((c) => c.id === jid);
    if (!chat) return;
    chat.preview = text;
    chat.lastMessageAt = new Date().toISOString();
    this.#chats = [chat, ...this.#chats.filter((c) => c !== chat)];
    this.#renderList();
  }

  #assigned(jid: string, agentId: string | null): void {
    const chat = this.#chats.find((c) => c.id === jid);
    if (this.#me.role === "agent" && agentId !== this.#me.sub) {
      // Taken from this agent: it may no longer see the chat.
      if (!chat) return;
      this.#chats = this.#chats.filter((c) => c !== chat);
      if (this.#conversation.jid === jid)
        this.#conversation.close("This chat was assigned to someone else.");
      this.#renderList();
      return;
    }
    if (!chat) {
      this.#refreshSoon();
      return;
    }
    chat.owner = agentId;
    this.#conversation.update(chat);
    this.#renderList();
  }

  #refreshSoon(): void {
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => void this.#refreshChats(), REFRESH_DEBOUNCE_MS);
  }

  #catchUp(): void {
    void this.#refreshChats();
    void this.#conversation.reload();
  }

  async #refreshChats(): Promise<void> {
    try {
      this.#chats = await this.#api.chats();
      this.#listNote.textContent = "";
    } catch (error) {
      this.#listNote.textContent = `Could not refresh the chats: ${describeError(error)}`;
      return;
    }
    const open = this.#conversation.jid;
    const chat = open === undefined ? undefined : this.#chats.find((c) => c.id === open);
    if (open !== undefined && !chat) this.#conversation.close("This chat is no longer yours.");
    if (chat) this.#conversation.update(chat);
    this.#renderList();
  }
}
