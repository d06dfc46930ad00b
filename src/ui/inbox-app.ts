/**
 * The signed-in inbox: header, chat list and conversation, drawn from one store
 * (inbox-state.ts) that every realtime frame and every answer goes into, for every
 * WhatsApp number the user may see; each number's socket replays what it missed after a drop, the status poller keeps the header true about
 * WAHA, and a list that failed to load tries again by itself.
 */
import type { ApiClient } from "../client/api-client.ts";
import { ApiError } from "../client/api-error.ts";
import { unreadChats } from "../client/chat-filter.ts";
import { DraftStore } from "../client/drafts.ts";
import { chatRef, findChat, isOpen } from "../client/inbox-frames.ts";
import {
  type InboxAction,
  type InboxState,
  initialInboxState,
  reduceInbox,
} from "../client/inbox-state.ts";
import { MediaQueue } from "../client/media-queue.ts";
import { sendPreview } from "../client/message-preview.ts";
import {
  firstNumbers,
  numberIds,
  outboxOf,
  searchOf,
  watchedName,
  watchedNumber,
} from "../client/numbers.ts";
import type { RealtimeEvent } from "../client/realtime-events.ts";
import { RetryingLoad } from "../client/retrying-load.ts";
import { type PendingSend, SendTracker } from "../client/send-tracker.ts";
import { Store } from "../client/store.ts";
import type { Agent, Chat, Me, Message, SearchHit } from "../client/types.ts";
import { browserStorage, UnsentStore } from "../client/unsent-store.ts";
import { documentVisibility } from "../client/visibility.ts";
import { chatTitle, setAvatarLoader } from "./avatar.ts";
import type { PageApp, PageDeps } from "./boot.ts";
import { ConversationView } from "./conversation-view.ts";
import { h } from "./dom.ts";
import { describeError, formatPhone } from "./format.ts";
import { GatewayLink } from "./gateway-link.ts";
import { HeaderView } from "./header-view.ts";
import { takeFrame } from "./inbox-events.ts";
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
  readonly store: Store<InboxState, InboxAction>;
  readonly header: HeaderView;
  readonly sidebar: SidebarView;
  readonly conversation: ConversationView;
  readonly watch: WahaWatch;
  readonly tracker: SendTracker;
  readonly notifier: Notifier;
  readonly #layout: HTMLElement;
  readonly #queue: MediaQueue;
  readonly #link: GatewayLink;
  readonly #chatsLoad: RetryingLoad<{ asOf: InboxState["seq"]; chats: Chat[] }>;
  readonly #sender: Sender;
  readonly #visibility = documentVisibility();

  #painted = false;
  /** What the title and the attach button were last drawn from. */
  #shownChats: InboxState["chats"] | undefined;
  #shownHealth: InboxState["health"];
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #outboxTimer: ReturnType<typeof setTimeout> | undefined;
  #wantedChat: string | undefined;
  #numbersLoad: (() => void) | undefined;
  /** The number the header's status, QR and setup are about. */
  #watched: string | undefined;
  /** Chats this agent is taking: their chat.assigned is no news to it. */
  readonly #taking = new Set<string>();

  constructor(deps: PageDeps) {
    this.api = deps.api;
    this.me = deps.me;
    this.store = new Store(initialInboxState(deps.me), reduceInbox);
    const store = this.store;
    const staff = deps.me.role !== "agent";
    this.notifier = new Notifier(TITLE, (ref) => {
      const [number = "", jid = ""] = ref.split("\n");
      this.select(number, jid);
    });
    this.header = new HeaderView({
      me: deps.me,
      onSignOut: deps.onSignOut,
      adminLink: staff,
      ...(this.notifier.canAsk ? { onEnableNotifications: () => this.notifier.ask() } : {}),
    });
    this.#queue = new MediaQueue({
      load: (key) => this.api.media(key.jid, key.id, undefined, key.number),
    });
    const viewer = new PhotoViewer();
    this.tracker = new SendTracker({
      store: new UnsentStore(browserStorage(), deps.me.sub),
      // The sends live in the store, so the views draw them with everything else.
      cell: {
        get: () => store.state.sends,
        set: (sends) => store.dispatch({ type: "sends", sends }),
      },
      onSent: (pending, id) => this.#sent(pending, id),
    });
    this.#sender = new Sender(this.api, this.tracker, (status) => this.watch.fromSend(status));
    this.sidebar = new SidebarView({
      onFilter: (filter) => {
        store.dispatch({ type: "filter", filter });
        if (filter === "unassigned" && deps.me.role === "agent") void this.#loadQueue();
      },
      onTake: (jid) => void this.#take(jid),
      onNumber: (number) => {
        store.dispatch({ type: "number", number });
        this.#follow();
        if (store.state.search.asked) void this.#search(store.state.search.asked);
      },
      onSearch: (query) => void this.#search(query),
      onSelect: (number, jid) => this.select(number, jid),
      onHit: (hit: SearchHit) => this.select(hit.number ?? "", hit.jid, hit.id),
    });
    this.conversation = new ConversationView({
      api: this.api,
      store,
      media: new MediaView(this.#queue, viewer),
      me: deps.me,
      drafts: new DraftStore(browserStorage(), deps.me.sub),
      onAssigned: (number, jid, agentId) => this.assigned(number, jid, agentId),
      onSend: (chat, draft) => this.#sender.send(chat, draft),
      onRetrySend: (clientId) => this.#sender.retry(clientId),
      onReact: (chat, message, reaction) => this.#react(chat, message, reaction),
      onBack: () => this.#showPane("list"),
    });
    this.watch = new WahaWatch({
      api: this.api,
      me: deps.me,
      number: () => this.#watched,
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
        // Each number's pill in the header follows the same rhythm.
        if (store.state.numbers.length > 1) this.#loadNumbers();
      },
      onView: (view) => store.dispatch({ type: "health", view }),
    });
    this.#link = new GatewayLink({
      api: this.api,
      pingIntervalMs: deps.config.pingInterval,
      watch: this.watch,
      sender: this.#sender,
      onApiAnswer: deps.onApiAnswer,
      onApiFailure: deps.onApiFailure,
      onEvent: (event, seq, number) => this.#onFrame(event, seq, number),
      onLiveState: (on, reconnectInMs) => store.dispatch({ type: "live", on, reconnectInMs }),
      // What the socket missed is replayed; a list that never loaded is tried again.
      onLive: () => this.#chatsLoad.ifFailed(),
      // A number taken away: the switcher and the lists follow at once.
      onWithdrawn: () => {
        this.#loadNumbers();
        this.#chatsLoad.now();
      },
    });
    this.#chatsLoad = new RetryingLoad({
      load: async () => {
        // Frames up to this seq are in the answer; any newer one stands over it.
        const asOf = store.state.seq;
        return { asOf, chats: await this.api.chats() };
      },
      capMs: 15_000,
      onValue: ({ asOf, chats }) => this.#chatsLoaded(chats, asOf),
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
    this.element = h(
      "div",
      { class: "app" },
      this.header.element,
      this.notifier.toast,
      this.#layout,
      viewer.element,
    );
    setAvatarLoader((url) => this.api.avatar(url));
    store.subscribe((state) => this.#render(state));
    this.#render(store.state);
  }

  async start(): Promise<void> {
    this.sidebar.setNote("Loading chats…");
    const hash = new URLSearchParams(window.location.hash.slice(1));
    const wanted = hash.get("chat");
    if (wanted) this.#wantedChat = chatRef(hash.get("number") ?? "", wanted);
    // Which numbers there are decides the sockets, the header and the switcher.
    const first = firstNumbers(this.api, (error, at, now) =>
      this.sidebar.setNote(`Could not load the chats: ${describeError(error)}.`, { at, now }),
    );
    this.#numbersLoad = first.stop;
    const numbers = await first.numbers;
    if (numbers) this.store.dispatch({ type: "numbers.loaded", numbers });
    this.#watched = watchedNumber(this.store.state);
    this.header.setNumber(watchedName(this.store.state, this.#watched));
    this.watch.start();
    // Texts a page before this one could not send go first, before anything new.
    this.#sender.resume();
    await this.#link.prepare(numberIds(this.store.state));
    const staff = this.me.role !== "agent";
    const agents = staff
      ? this.api.agents().catch(() => [] as Agent[])
      : Promise.resolve(undefined);
    this.#chatsLoad.now();
    this.#loadOutbox();
    const loaded = await agents;
    if (loaded) this.store.dispatch({ type: "agents.loaded", agents: loaded });
    this.#link.start();
  }

  stop(): void {
    this.watch.stop();
    this.#link.stop();
    this.#sender.stop();
    this.#chatsLoad.stop();
    this.#numbersLoad?.();
    this.#queue.clear();
    clearTimeout(this.#refreshTimer);
    clearTimeout(this.#outboxTimer);
  }

  select(number: string, jid: string, reveal?: string): void {
    const state = this.store.state;
    const chat = findChat(state, number, jid);
    if (!chat) return;
    // Media of the chat being left is no longer wanted; downloads under way still finish.
    this.#queue.cancelQueued();
    const where = new URLSearchParams({ chat: jid, ...(number ? { number } : {}) });
    window.history.replaceState(null, "", `#${where}`);
    if (isOpen(state, number, jid) && reveal !== undefined) {
      this.store.dispatch({ type: "chat.opened", number, jid, fresh: false });
      void this.conversation.reveal(reveal);
    } else {
      this.store.dispatch({ type: "chat.opened", number, jid, fresh: true });
      this.conversation.open(number, jid, reveal);
    }
    this.#follow();
    if (chat.unreadCount > 0) this.markRead(number, jid);
    this.#showPane("chat");
  }

  markRead(number: string, jid: string): void {
    this.api.markRead(jid, number).catch((error: unknown) => {
      if (!(error instanceof ApiError && error.status === 401))
        console.warn(`mark-read ${jid}: ${describeError(error)}`);
    });
  }

  /** Our own change of a chat's owner was saved. */
  assigned(number: string, jid: string, agentId: string | null): void {
    this.store.dispatch({ type: "assigned", number, jid, agentId });
    this.assignedEffects(number, jid, agentId);
  }

  /** An agent's Unassigned queue, loaded anew. */
  async #loadQueue(): Promise<void> {
    try {
      this.sidebar.setQueue(await this.api.unassignedChats());
    } catch (error) {
      this.sidebar.setQueue([]);
      this.sidebar.setNote(`Could not load the unassigned chats: ${describeError(error)}.`);
    }
  }

  /** The agent takes a chat from the queue: it becomes theirs and opens. */
  async #take(jid: string): Promise<void> {
    this.#taking.add(jid);
    try {
      await this.api.take(jid);
      this.#wantedChat = chatRef("", jid);
      this.store.dispatch({ type: "filter", filter: "mine" });
      this.#chatsLoad.now();
    } catch (error) {
      this.#taking.delete(jid);
      this.sidebar.setNote(`Could not take the chat: ${describeError(error)}.`);
      void this.#loadQueue();
    }
  }

  /** A chat changed owner (our change, or someone else's, live): what follows besides the state. */
  assignedEffects(number: string, jid: string, agentId: string | null): void {
    const state = this.store.state;
    // Someone else gave this agent the chat: word on the page and the desktop.
    if (agentId === state.me.sub && !this.#taking.delete(jid)) {
      const chat = state.chats.find((c) => c.id === jid);
      this.notifier.assigned(chatRef(number, jid), chat ? chatTitle(chat) : formatPhone(jid));
    }
    // Taken from this agent: the state let it go.
    if (state.me.role === "agent" && agentId !== state.me.sub) return;
    if (!findChat(state, number, jid)) this.refreshSoon();
    else if (isOpen(state, number, jid)) this.conversation.refreshTimes();
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

  /** `number`'s lists again: the gateway could not replay what its socket missed. */
  resync(number: string): void {
    this.#chatsLoad.now();
    if (this.store.state.open?.number === number) this.conversation.reload();
    this.#loadOutbox();
  }

  /** The views draw from the state; the title and the attach button follow it too. */
  #render(state: InboxState): void {
    this.header.render(state);
    this.sidebar.render(state);
    this.conversation.render(state);
    if (state.chats !== this.#shownChats) {
      this.#shownChats = state.chats;
      this.notifier.setUnread(unreadChats(state.chats));
      if (state.chats.length > 0 && !this.#painted) {
        this.#painted = true;
        // For measurements (bench:ui, real-user timing): the first chat list on screen.
        requestAnimationFrame(() => performance.mark("wa:chats-painted"));
      }
    }
    if (state.health && state.health !== this.#shownHealth)
      this.conversation.setAttachments(state.health.tier?.toUpperCase() === "PLUS");
    this.#shownHealth = state.health;
  }

  #onFrame(event: RealtimeEvent, seq: number | undefined, number: string): void {
    // The header speaks of one number; another's news about WAHA shows in its pill.
    const watched = number === (this.#watched ?? "");
    takeFrame(this, { event, seq, number }, this.#visibility.visible(), watched);
  }

  /** Each number's pill follows the status checks' rhythm. */
  #loadNumbers(): void {
    this.api.numbers().then(
      (numbers) => {
        if (numbers) this.store.dispatch({ type: "numbers.loaded", numbers });
      },
      () => {
        // The pills keep their last word; the next check asks again.
      },
    );
  }

  /** The header's status, QR and setup follow the number in front of the reader. */
  #follow(): void {
    const next = watchedNumber(this.store.state);
    if (next === this.#watched) return;
    this.#watched = next;
    this.header.setNumber(watchedName(this.store.state, next));
    this.watch.numberChanged(this.store.state.numbers.find((n) => n.id === next)?.status);
  }

  #chatsLoaded(chats: Chat[], asOf: InboxState["seq"]): void {
    this.store.dispatch({ type: "chats.loaded", chats, asOf });
    // A list that loads again means the gateway (and maybe WAHA) answers: worth a fresh look.
    if (this.watch.reach !== "up") this.watch.checkSoon();
    this.sidebar.setNote("");
    const wanted = this.#wantedChat;
    const chat = this.store.state.chats.find(
      (c) => wanted && (chatRef(c.number, c.id) === wanted || chatRef("", c.id) === wanted),
    );
    if (chat) {
      this.#wantedChat = undefined;
      this.select(chat.number, chat.id);
    }
  }

  /** WAHA took our send: it shows as a message (or the chat is read again), its chat on top. */
  #sent(pending: PendingSend, id: string | null): void {
    const open = isOpen(this.store.state, pending.number, pending.jid);
    this.store.dispatch({
      type: "sent",
      number: pending.number,
      jid: pending.jid,
      message: id ? sentMessage(pending, id) : undefined,
      preview: sendPreview(pending.body, pending.file),
      now: Date.now(),
    });
    if (open && id) this.conversation.refreshTimes();
    else if (open) this.conversation.reload();
  }

  #loadOutbox(): void {
    outboxOf(this.api, numberIds(this.store.state)).then(
      (entries) => this.tracker.fromOutbox(entries, Date.now()),
      () => {
        // Shown again with the next resync or frame; nothing on screen depends on it.
      },
    );
  }

  #react(chat: Chat, message: Message, reaction: string): void {
    const before = (message.reactions ?? []).find((r) => r.from === "me")?.text ?? "";
    const mine = {
      type: "reaction.mine",
      number: chat.number,
      jid: chat.id,
      id: message.id,
    } as const;
    this.store.dispatch({ ...mine, reaction });
    this.#sender.react(chat, message, reaction).then(
      () => {},
      (error: unknown) => {
        // Only our own reaction goes back; others' that came meanwhile stay.
        this.store.dispatch({ ...mine, reaction: before });
        this.conversation.composer.setError(`Reaction not sent: ${describeError(error)}`);
      },
    );
  }

  async #search(query: string): Promise<void> {
    this.store.dispatch({ type: "search.asked", query });
    if (query === "") return;
    try {
      // The number shown, or every number.
      const shown = this.store.state.number;
      const ids = shown === undefined ? numberIds(this.store.state) : [shown];
      const hits = await searchOf(this.api, query, ids, 30);
      this.store.dispatch({ type: "search.answered", query, hits });
    } catch (error) {
      if (this.store.state.search.asked !== query) return;
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
