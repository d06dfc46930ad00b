/**
 * The open conversation: its header (who, assignment, first-response time, status and
 * labels), the messages in true order with staff's notes among them and older pages on
 * scrolling up, our sends on their way, the private-note box and the send box, drawn from the inbox's state. A page that fails to load tries again by itself and
 * says when; every page it reads goes into the state as an answer.
 */
import type { ApiClient } from "../client/api-client.ts";
import type { DraftStore } from "../client/drafts.ts";
import { chatRef, findChat, isChat } from "../client/inbox-frames.ts";
import type { InboxAction, InboxState, OpenChat } from "../client/inbox-state.ts";
import { RetryingLoad } from "../client/retrying-load.ts";
import { sendsOf } from "../client/send-tracker.ts";
import type { Store } from "../client/store.ts";
import type { CannedReply, Chat, ChatNote, Me, Message } from "../client/types.ts";
import { AssignControl } from "./assign-control.ts";
import { chatTitle } from "./avatar.ts";
import { Composer, type Draft } from "./composer.ts";
import { type Countdown, countdown } from "./countdown.ts";
import { h, replaceChildren } from "./dom.ts";
import { describeError, formatPhone } from "./format.ts";
import type { MediaView } from "./media-view.ts";
import { MessageList } from "./message-list.ts";
import { TeamControls } from "./team-controls.ts";

export interface ConversationDeps {
  api: ApiClient;
  store: Store<InboxState, InboxAction>;
  media: MediaView;
  me: Me;
  drafts: DraftStore;
  onAssigned: (number: string, jid: string, agentId: string | null) => void;
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
  readonly #team: TeamControls;
  /** The chat this view is set up for (its loader, its list); the state says what it shows. */
  /** The chat this view is set up for (chatRef). */
  #jid: string | undefined;
  /** What is on screen, so a render redraws only what changed. */
  #shown: Partial<Pick<OpenChat, "messages" | "atStart">> & {
    chat?: Chat;
    sends?: InboxState["sends"];
  } = {};
  #loader: RetryingLoad<{ asOf: InboxState["seq"]; page: Message[] }> | undefined;
  #countdown: Countdown | undefined;
  /** A load failed and the notice says so, until a load succeeds. */
  #loadFailed = false;
  #olderLoading = false;
  /** Bumped on every chat switch so a late answer for the previous chat is dropped. */
  #generation = 0;
  #wantReveal: string | undefined;
  #reloadTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(deps: ConversationDeps) {
    this.#deps = deps;
    this.#assign = new AssignControl({
      api: deps.api,
      me: deps.me,
      agents: () => deps.store.state.agents,
      onAssigned: deps.onAssigned,
    });
    this.#list = new MessageList({
      media: deps.media,
      actions: {
        reply: (message) => this.#composer.setReply(message, this.#chat()?.name ?? ""),
        react: (message, reaction) => {
          const chat = this.#chat();
          if (chat) deps.onReact(chat, message, reaction);
        },
        reveal: (id) => void this.reveal(id),
        edit: (message, text) => this.#change((jid) => deps.api.editMessage(jid, message.id, text)),
        remove: (message) => this.#change((jid) => deps.api.deleteMessage(jid, message.id)),
      },
      onOlder: () => void this.#older(),
      onRetrySend: deps.onRetrySend,
    });
    this.#team = new TeamControls({
      api: deps.api,
      store: deps.store,
      onNotes: (notes) => this.#list.setNotes(notes),
    });
    this.#composer = new Composer({
      onSend: (draft) => {
        const chat = this.#chat();
        if (chat) deps.onSend(chat, draft);
      },
      drafts: deps.drafts,
      cannedReplies: () => deps.api.json<CannedReply[]>("/api/canned-replies"),
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
        this.#team.element,
      ),
      this.#notice,
      this.#list.element,
      this.#team.noteForm,
      this.#composer.element,
    );
    this.#notice.textContent = "Pick a chat on the left.";
  }

  get composer(): Composer {
    return this.#composer;
  }

  /** Sets up the chat the state just opened and loads its newest messages; `reveal` scrolls to one. */
  open(number: string, jid: string, reveal?: string): void {
    const { store, api } = this.#deps;
    const chat = this.#chat();
    if (!chat || !isChat(chat, number, jid)) return;
    const generation = ++this.#generation;
    this.#stopLoading();
    this.#jid = chatRef(number, jid);
    this.#shown = {};
    this.#olderLoading = false;
    this.#loadFailed = false;
    this.#wantReveal = reveal;
    this.#deps.media.reset();
    this.#list.reset(chat);
    this.#composer.setEnabled(true);
    // A draft per chat: one customer's chats on two numbers have their own.
    this.#composer.open(number ? `${number}:${jid}` : jid);
    this.#assign.open(chat);
    this.#team.open(chat);
    this.#loader = new RetryingLoad({
      load: async () => {
        const asOf = store.state.seq;
        return { asOf, page: await api.messages(jid, { limit: PAGE, number }) };
      },
      onValue: ({ asOf, page }) => {
        if (generation !== this.#generation) return;
        this.#stopCountdown();
        this.#loadFailed = false;
        const first = store.state.open?.loaded === false;
        store.dispatch({ type: "page.newest", number, jid, page, limit: PAGE, asOf });
        // Scrolling and revealing read the rows: they are drawn first.
        store.flush();
        this.#renderNotice(store.state);
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
  }

  /** Reads the newest page again (live updates resumed, a resync, WAHA back). */
  reload(): void {
    this.#loader?.now();
    this.#team.reloadNotes();
  }

  /** A private note was added to a chat (a frame). */
  noteArrived(number: string, jid: string, note: ChatNote): void {
    this.#team.noteArrived(number, jid, note);
  }

  /** Reads the newest page again shortly (a live reply whose quote only the store has). */
  reloadSoon(): void {
    clearTimeout(this.#reloadTimer);
    this.#reloadTimer = setTimeout(() => this.reload(), 300);
  }

  /** Draws what changed in the open chat; a chat the state closed is let go. */
  render(state: InboxState): void {
    const open = state.open;
    if (!open) {
      if (this.#jid !== undefined) this.#close(state.closed ?? "");
      return;
    }
    if (chatRef(open.number, open.jid) !== this.#jid) return;
    const shown = this.#shown;
    const chat = findChat(state, open.number, open.jid);
    if (chat && chat !== shown.chat) {
      const title = chatTitle(chat);
      this.#title.textContent = title;
      const phone = formatPhone(chat.id);
      this.#subtitle.textContent = chat.isGroup ? "Group" : phone !== title ? phone : "";
      this.#assign.update(chat);
      this.#team.update(chat);
    }
    if (open.messages !== shown.messages || open.atStart !== shown.atStart) {
      this.#list.set(open.messages);
      this.#list.setOlder(open.atStart ? "start" : "more");
    }
    if (state.sends !== shown.sends)
      this.#list.setPending(sendsOf(state.sends, open.jid, open.number));
    this.#renderNotice(state);
    this.#shown = { chat, messages: open.messages, atStart: open.atStart, sends: state.sends };
  }

  /** The first-response time may have changed (we answered, it was reassigned). */
  refreshTimes(): void {
    this.#assign.refreshTimes();
  }

  setAttachments(allowed: boolean): void {
    this.#composer.setAttachments(allowed);
  }

  /** Scrolls to a message, reading older pages back until it is there (or giving up). */
  async reveal(id: string): Promise<boolean> {
    const generation = this.#generation;
    this.#deps.store.flush();
    for (let page = 0; page < REVEAL_PAGES; page++) {
      if (this.#list.reveal(id)) return true;
      if (this.#deps.store.state.open?.atStart || !(await this.#older())) break;
      if (generation !== this.#generation) return false;
    }
    return this.#list.reveal(id);
  }

  /** The open chat as the state has it, once this view is set up for it. */
  #chat(): Chat | undefined {
    const { open, chats } = this.#deps.store.state;
    return open && chats.find((c) => isChat(c, open.number, open.jid));
  }

  /** An edit or deletion of our own message; the frame that follows redraws it, a refusal is said. */
  async #change(call: (jid: string) => Promise<unknown>): Promise<void> {
    const jid = this.#deps.store.state.open?.jid;
    if (!jid) return;
    try {
      await call(jid);
    } catch (error) {
      this.#notice.textContent = `Could not change the message: ${describeError(error)}.`;
    }
  }

  /** "Loading…", "No messages yet" or nothing; a failed load's notice stays until one succeeds. */
  #renderNotice(state: InboxState): void {
    const open = state.open;
    if (!open || this.#loadFailed) return;
    const text =
      open.messages.length > 0
        ? ""
        : open.loaded
          ? "No messages in this chat yet."
          : "Loading messages…";
    if (this.#notice.textContent !== text) this.#notice.textContent = text;
  }

  /** One older page; answers whether it got one. */
  async #older(): Promise<boolean> {
    const { store } = this.#deps;
    const { open, seq } = store.state;
    const oldest = open?.messages[0];
    if (!open || chatRef(open.number, open.jid) !== this.#jid) return false;
    if (!oldest || this.#olderLoading || open.atStart) return false;
    const generation = this.#generation;
    this.#olderLoading = true;
    this.#list.setOlder("loading");
    try {
      const { number, jid } = open;
      const page = await this.#deps.api.messages(jid, { limit: PAGE, beforeId: oldest.id, number });
      if (generation !== this.#generation) return false;
      store.dispatch({ type: "page.older", number, jid, page, limit: PAGE, asOf: seq });
      // Whoever asked for the page looks for a row in it next.
      store.flush();
      return page.length > 0;
    } catch (error) {
      if (generation !== this.#generation) return false;
      this.#list.setOlder("error", `Could not load older messages: ${describeError(error)}`);
      return false;
    } finally {
      if (generation === this.#generation) this.#olderLoading = false;
    }
  }

  /** Shows nothing (the chat went away, e.g. reassigned from this agent). */
  #close(reason: string): void {
    this.#generation += 1;
    this.#stopLoading();
    this.#jid = undefined;
    this.#shown = {};
    this.#deps.media.reset();
    this.#list.reset(undefined);
    this.#assign.open(undefined);
    this.#team.open(undefined);
    this.#title.textContent = "No chat open";
    this.#subtitle.textContent = "";
    this.#notice.textContent = reason;
    this.#composer.setEnabled(false);
  }

  #showLoadError(error: unknown, retryAt: number | undefined): void {
    this.#stopCountdown();
    this.#loadFailed = true;
    const shown = (this.#deps.store.state.open?.messages.length ?? 0) > 0;
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
