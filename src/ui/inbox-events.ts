/**
 * What a realtime frame sets going besides its change to the state (inbox-frames.ts):
 * a chat marked read or a desktop notification for a new message, a list read again for
 * a chat the page does not know yet, our send recognised, the outbox or everything
 * reloaded.
 */
import { isOwnChat } from "../client/chat-filter.ts";
import { chatRef, findChat, isOpen, isStale, messageKey } from "../client/inbox-frames.ts";
import type { InboxState } from "../client/inbox-state.ts";
import type { RealtimeEvent } from "../client/realtime-events.ts";
import type { InboxApp } from "./inbox-app.ts";

/**
 * A frame of `number`'s socket: news about WAHA for the header (when it is about the number
 * the header watches), the state's change, and what follows. `looking`: the reader has the
 * page in front of them.
 */
export function takeFrame(
  app: InboxApp,
  frame: { event: RealtimeEvent; seq: number | undefined; number: string },
  looking: boolean,
  watched: boolean,
): void {
  const { event, seq, number } = frame;
  if (watched) app.watch.fromEvent(event);
  // A frame the state has already seen (or overtaken) sets nothing going either.
  if (isStale(app.store.state, event, seq, number)) return;
  const known =
    event.type === "message.new" &&
    app.store.state.applied.has(messageKey(number, event.jid, event.message.id));
  beforeFrame(app, event, number);
  app.store.dispatch({ type: "frame", event, number, seq, now: Date.now(), visible: looking });
  afterFrame(app, app.store.state, event, number, known, looking);
}

/** Before the state takes the frame in: our own message coming back is the send it was. */
function beforeFrame(app: InboxApp, event: RealtimeEvent, number: string): void {
  if (event.type === "message.new" && event.message.fromMe)
    app.tracker.claim(event.jid, event.message.body, event.message.id, number);
}

/**
 * After the state took the frame in. `known`: the message had come before (a newer copy
 * of it is no news); `looking`: the reader had the page in front of them.
 */
function afterFrame(
  app: InboxApp,
  state: InboxState,
  event: RealtimeEvent,
  number: string,
  known: boolean,
  looking: boolean,
): void {
  switch (event.type) {
    case "message.new": {
      const { jid, message } = event;
      const open = isOpen(state, number, jid);
      // Someone answered (another tab, another person): the first-response time may be set now.
      if (open && message.fromMe) app.conversation.refreshTimes();
      // A live reply names no quote (the frame carries only that it is one): the store has it.
      if (open && message.replyTo && message.replyTo.id === null) app.conversation.reloadSoon();
      const chat = findChat(state, number, jid);
      if (!chat) {
        app.refreshSoon();
        return;
      }
      if (message.fromMe || known) return;
      if (open && looking) app.markRead(number, jid);
      else if (isOwnChat(chat, state.me))
        app.notifier.notify(chatRef(number, jid), chat.name || jid, chat.preview ?? "New message");
      return;
    }
    case "chat.assigned":
      app.assignedEffects(number, event.jid, event.agentId);
      return;
    case "outbox.status":
      // A send of another page (or from before a reload): the outbox list has it.
      if (!app.tracker.fromEvent(event) && event.status !== "sent") app.outboxSoon();
      return;
    case "note.new":
      app.conversation.noteArrived(event.number, event.jid, event.note);
      return;
    case "resync":
      app.resync(number);
      return;
    default:
      return;
  }
}
