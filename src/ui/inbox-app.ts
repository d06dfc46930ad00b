/**
 * The signed-in inbox: header, chat list and conversation, kept current by the realtime
 * socket (which replays what it missed after a drop); the status poller keeps the header
 * true about WAHA, and a list that failed to load tries again by itself.
 */
import type { ApiClient } from "../client/api-client.ts";
import { ApiError } from "../client/api-error.ts";
import {
  type ChatFilter,
  filterChats,
  filtersFor,
  isOwnChat,
  unreadChats,
} from "../client/chat-filter.ts";
import { MediaQueue } from "../client/media-queue.ts";
import type { RealtimeEvent } from "../client/realtime-events.ts";
import { RetryingLoad } from "../client/retrying-load.ts";
import { SendTracker } from "../client/send-tracker.ts";
import type { Agent, Chat, Me, Message, SearchHit } from "../client/types.ts";
import { UnsentStore } from "../client/unsent-store.ts";
import { documentVisibility } from "../client/visibility.ts";
import type { PageApp, PageDeps } from "./boot.ts";
import { ConversationView } from "./conversation-view.ts";
import { h } from "./dom.ts";
import { describeError } from "./format.ts";
import { GatewayLink } from "./gateway-link.ts";
import { HeaderView } from "./header-view.ts";
import { applyEvent } from "./inbox-events.ts";
import { MediaView } from "./media-view.ts";
import { Notifier } from "./notifier.ts";
import { PhotoViewer } from "./photo-viewer.ts";
import { Sender, sentMessage } from "./sender.ts";
import { SidebarView } from "./sidebar-view.ts";
import { WahaWatch } from "./waha-watch.ts";

const TITLE = "wa-edge inbox";
/** Chat-list refreshes triggered by events are bunched up this long. */
const REFRESH_DEBOUNCE_MS = 500;

export class InboxApp implements PageApp {
  readonly element: HTMLElement;
  readonly api: ApiClient;
  readonly me: Me;
  readonly header: HeaderView;
  readonly sidebar: SidebarView;
  readonly conversation: ConversationView;
  readonly watch: WahaWatch;
  readonly tracker: SendTracker;
  readonly notifier: Notifier;
  readonly #layout: HTMLElement;
  readonly #queue: MediaQueue;
  readonly #link: GatewayLink;
  readonly #chatsLoad: RetryingLoad<Chat[]>;
  readonly #sender: Sender;
  readonly #visibility = documentVisibility();

  chats: Chat[] = [];
  /** Until the list first loads, an empty list means "not known yet", not "no chats". */
  #chatsKnown = false;
  #painted = false;
  #agents: Agent[] | undefined;
  #filter: ChatFilter;
  #query = "";
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #outboxTimer: ReturnType<typeof setTimeout> | undefined;
  #wantedChat: string | undefined;

  constructor(deps: PageDeps) {
    this.api = deps.api;
    this.me = deps.me;
    const staff = deps.me.role !== "agent";
    this.notifier = new Notifier(TITLE, (jid) => this.select(jid));
    this.header = new HeaderView({
      me: deps.me,
      onSignOut: deps.onSignOut,
      adminLink: staff,
      ...(this.notifier.canAsk ? { onEnableNotifications: () => this.notifier.ask() } : {}),
    });
    this.#queue = new MediaQueue({ load: (key) => this.api.media(key.jid, key.id) });
    const viewer = new PhotoViewer();
    this.tracker = new SendTracker({
      store: new UnsentStore(localStorageIfAllowed(), deps.me.sub),
      onChange: (jid) => {
        if (this.conversation.jid === jid) this.conversation.pendingChanged();
      },
      onSent: (pending, id) => {
        if (id && this.conversation.jid === pending.jid) {
          this.conversation.add(sentMessage(pending, id), true);
          this.conversation.refreshTimes();
        } else if (!id && this.conversation.jid === pending.jid) {
          this.conversation.reload();
        }
        this.#movedUp(pending.jid, pending.body ?? "[media]");
      },
    });
    this.#sender = new Sender(this.api, this.tracker, (status) => this.watch.fromSend(status));
    this.#filter = filtersFor(deps.me, new Set())[0] ?? "all";
    this.sidebar = new SidebarView({
      filters: filtersFor(deps.me, new Set()),
      onFilter: (filter) => {
        this.#filter = filter;
        this.renderList();
      },
      onSearch: (query) => void this.#search(query),
      onSelect: (jid) => this.select(jid),
      onHit: (hit: SearchHit) => this.select(hit.jid, hit.id),
    });
    this.conversation = new ConversationView({
      api: this.api,
      media: new MediaView(this.#queue, viewer),
      me: deps.me,
      agents: () => this.#agents,
      pending: (jid) => this.tracker.forChat(jid),
      onAssigned: (jid, agentId) => this.assigned(jid, agentId),
      onSend: (chat, draft) => this.#sender.send(chat, draft),
      onRetrySend: (clientId) => this.#sender.retry(clientId),
      onReact: (chat, message, reaction) => this.#react(chat, message, reaction),
      onBack: () => this.#showPane("list"),
    });
    this.watch = new WahaWatch({
      api: this.api,
      me: deps.me,
      config: deps.config,
      header: this.header,
      visibility: this.#visibility,
      onApiFailure: deps.onApiFailure,
      onBack: () => {
        this.#chatsLoad.ifFailed();
        this.conversation.reload();
      },
      onChecked: () => {
        // Without the socket, the poll's rhythm keeps the lists fresh too.
        if (!this.#link.live) {
          this.#chatsLoad.now();
          this.conversation.reload();
        }
      },
      onView: (view) => this.conversation.setAttachments(view.tier?.toUpperCase() === "PLUS"),
    });
    this.#link = new GatewayLink({
      api: this.api,
      pingIntervalMs: deps.config.pingInterval,
      watch: this.watch,
      header: this.header,
      sender: this.#sender,
      onApiAnswer: deps.onApiAnswer,
      onApiFailure: deps.onApiFailure,
      onEvent: (event) => this.#onEvent(event),
      // What the socket missed is replayed; a list that never loaded is tried again.
      onLive: () => this.#chatsLoad.ifFailed(),
    });
    this.#chatsLoad = new RetryingLoad({
      load: () => this.api.chats(),
      capMs: 15_000,
      onValue: (chats) => this.#chatsLoaded(chats),
      onError: (error, retryAt) => {
        const text = `Could not load the chats: ${describeError(error)}.`;
        this.sidebar.setNote(
          text,
          retryAt === undefined ? undefined : { at: retryAt, now: () => this.#chatsLoad.now() },
        );
      },
    });
    this.#layout = h(
      "div",
      { class: "layout", "data-pane": "list" },
      this.sidebar.element,
      this.conversation.element,
    );
    this.element = h("div", { class: "app" }, this.header.element, this.#layout, viewer.element);
  }

  async start(): Promise<void> {
    this.sidebar.setNote("Loading chats…");
    this.watch.start();
    this.#wantedChat = new URLSearchParams(window.location.hash.slice(1)).get("chat") ?? undefined;
    // Texts a page before this one could not send go first, before anything new.
    this.#sender.resume();
    await this.#link.prepare();
    const staff = this.me.role !== "agent";
    const agents = staff
      ? this.api.agents().catch(() => [] as Agent[])
      : Promise.resolve(undefined);
    this.#chatsLoad.now();
    this.#loadOutbox();
    this.#agents = await agents;
    // Staff who are agents too get a Mine filter.
    if (staff)
      this.sidebar.setFilters(filtersFor(this.me, new Set((this.#agents ?? []).map((a) => a.id))));
    this.renderList();
    this.#link.start();
  }

  stop(): void {
    this.watch.stop();
    this.#link.stop();
    this.#sender.stop();
    this.#chatsLoad.stop();
    this.#queue.clear();
    clearTimeout(this.#refreshTimer);
    clearTimeout(this.#outboxTimer);
  }

  renderList(): void {
    const names = this.#agents ? new Map(this.#agents.map((a) => [a.id, a.name])) : undefined;
    this.sidebar.renderChats(
      filterChats(this.chats, this.#filter, this.me),
      this.conversation.jid,
      names,
      this.#chatsKnown,
    );
    this.notifier.setUnread(unreadChats(this.chats));
    if (this.chats.length > 0 && !this.#painted) {
      this.#painted = true;
      // For measurements (bench:ui, real-user timing): the first chat list on screen.
      requestAnimationFrame(() => performance.mark("wa:chats-painted"));
    }
  }

  select(jid: string, reveal?: string): void {
    const chat = this.chats.find((c) => c.id === jid);
    if (!chat) return;
    // Media of the chat being left is no longer wanted; downloads under way still finish.
    this.#queue.cancelQueued();
    window.history.replaceState(null, "", `#chat=${encodeURIComponent(jid)}`);
    if (this.conversation.jid !== jid || reveal === undefined) this.conversation.open(chat, reveal);
    else void this.conversation.reveal(reveal);
    if (chat.unreadCount > 0) {
      chat.unreadCount = 0;
      this.markRead(jid);
    }
    this.#showPane("chat");
    this.renderList();
  }

  markRead(jid: string): void {
    this.api.markRead(jid).catch((error: unknown) => {
      if (!(error instanceof ApiError && error.status === 401))
        console.warn(`mark-read ${jid}: ${describeError(error)}`);
    });
  }

  /** A chat changed owner (our own change, or someone else's, live). */
  assigned(jid: string, agentId: string | null): void {
    const chat = this.chats.find((c) => c.id === jid);
    if (this.me.role === "agent" && agentId !== this.me.sub) {
      // Taken from this agent: it may no longer see the chat.
      if (!chat) return;
      this.chats = this.chats.filter((c) => c !== chat);
      if (this.conversation.jid === jid)
        this.conversation.close("This chat was assigned to someone else.");
      this.renderList();
      return;
    }
    if (!chat) {
      this.refreshSoon();
      return;
    }
    chat.owner = agentId;
    this.conversation.update(chat);
    if (this.conversation.jid === jid) this.conversation.refreshTimes();
    this.renderList();
  }

  /** A new message from the socket: into the open chat, the list's order and the title. */
  newMessage(jid: string, message: Message): void {
    const open = this.conversation.jid === jid;
    const chat = this.chats.find((c) => c.id === jid);
    if (open) this.conversation.add(message);
    if (message.fromMe) this.tracker.claim(jid, message.body, message.id);
    // Someone answered (another tab, another person): the first-response time may be set now.
    if (open && message.fromMe) this.conversation.refreshTimes();
    if (!chat) {
      this.refreshSoon();
      return;
    }
    chat.preview = message.body || (message.hasMedia ? "[media]" : null);
    chat.lastMessageAt = new Date(message.timestamp * 1000).toISOString();
    if (!message.fromMe) {
      const looking = open && this.#visibility.visible();
      if (looking) this.markRead(jid);
      else chat.unreadCount += 1;
      if (!looking && isOwnChat(chat, this.me)) {
        this.notifier.notify(jid, chat.name || jid, chat.preview ?? "New message");
      }
    }
    this.chats = [chat, ...this.chats.filter((c) => c !== chat)];
    this.renderList();
  }

  refreshSoon(): void {
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => this.#chatsLoad.now(), REFRESH_DEBOUNCE_MS);
  }

  /** The outbox list again (a frame about a send this page does not know, a resync). */
  outboxSoon(): void {
    clearTimeout(this.#outboxTimer);
    this.#outboxTimer = setTimeout(() => this.#loadOutbox(), REFRESH_DEBOUNCE_MS);
  }

  /** Everything again: the gateway could not replay what the socket missed. */
  resync(): void {
    this.#chatsLoad.now();
    this.conversation.reload();
    this.#loadOutbox();
  }

  #onEvent(event: RealtimeEvent): void {
    this.watch.fromEvent(event);
    applyEvent(this, event);
  }

  #chatsLoaded(chats: Chat[]): void {
    this.chats = chats;
    this.#chatsKnown = true;
    // A list that loads again means the gateway (and maybe WAHA) answers: worth a fresh look.
    if (this.watch.reach !== "up") this.watch.checkSoon();
    this.sidebar.setNote("");
    const open = this.conversation.jid;
    const chat = open === undefined ? undefined : chats.find((c) => c.id === open);
    if (open !== undefined && !chat) this.conversation.close("This chat is no longer yours.");
    if (chat) this.conversation.update(chat);
    this.renderList();
    const wanted = this.#wantedChat;
    if (wanted && chats.some((c) => c.id === wanted)) {
      this.#wantedChat = undefined;
      this.select(wanted);
    }
  }

  #loadOutbox(): void {
    this.api.outbox().then(
      (entries) => this.tracker.fromOutbox(entries, Date.now()),
      () => {
        // Shown again with the next resync or frame; nothing on screen depends on it.
      },
    );
  }

  #movedUp(jid: string, preview: string): void {
    const chat = this.chats.find((c) => c.id === jid);
    if (!chat) return;
    chat.preview = preview;
    chat.lastMessageAt = new Date().toISOString();
    this.chats = [chat, ...this.chats.filter((c) => c !== chat)];
    this.renderList();
  }

  #react(chat: Chat, message: Message, reaction: string): void {
    const before = message.reactions ?? [];
    const mine = before.filter((r) => r.from !== "me");
    this.conversation.patch(message.id, (m) => ({
      ...m,
      reactions: reaction ? [...mine, { from: "me", text: reaction }] : mine,
    }));
    this.#sender.react(chat, message, reaction).then(
      () => {},
      (error: unknown) => {
        this.conversation.patch(message.id, (m) => ({ ...m, reactions: before }));
        this.conversation.composer.setError(`Reaction not sent: ${describeError(error)}`);
      },
    );
  }

  async #search(query: string): Promise<void> {
    this.#query = query;
    if (query === "") {
      this.sidebar.renderHits("", undefined, () => "");
      return;
    }
    try {
      const hits = await this.api.search(query, { limit: 30 });
      if (this.#query !== query) return;
      const names = (jid: string) => this.chats.find((c) => c.id === jid)?.name ?? jid;
      this.sidebar.renderHits(query, hits, names);
    } catch (error) {
      if (this.#query !== query) return;
      this.sidebar.setNote(`Search failed: ${describeError(error)}.`);
    }
  }

  #showPane(pane: "list" | "chat"): void {
    this.#layout.dataset.pane = pane;
    if (pane === "list") {
      this.sidebar.element.querySelector<HTMLElement>("[aria-current='true']")?.focus();
    }
  }
}

/** The browser's localStorage, or nothing where the browser refuses it (some private modes). */
function localStorageIfAllowed(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}
