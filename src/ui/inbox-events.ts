/**
 * What a realtime frame sets going besides its change to the state (inbox-frames.ts):
 * a chat marked read or a desktop notification for a new message, a list read again for
 * a chat the page does not know yet, our send recognised, the outbox or everything
 * reloaded.
 */
import { isOwnChat } from "../client/chat-filter.ts";
import type { InboxState } from "../client/inbox-state.ts";
import type { RealtimeEvent } from "../client/realtime-events.ts";
import type { InboxApp } from "./inbox-app.ts";

/** Before the state takes the frame in: our own message coming back is the send it was. */
export function beforeFrame(app: InboxApp, event: RealtimeEvent): void {
  if (event.type === "message.new" && event.message.fromMe)
    app.tracker.claim(event.jid, event.message.body, event.message.id);
}

/**
 * After the state took the frame in. `known`: the message had come before (a newer copy
 * of it is no news); `looking`: the reader had the page in front of them.
 */
export function afterFrame(
  app: InboxApp,
  state: InboxState,
  event: RealtimeEvent,
  known: boolean,
  looking: boolean,
): void {
  switch (event.type) {
    case "message.new": {
      const { jid, message } = event;
      const open = state.open?.jid === jid;
      // Someone answered (another tab, another person): the first-response time may be set now.
      if (open && message.fromMe) app.conversation.refreshTimes();
      // A live reply names no quote (the frame carries only that it is one): the store has it.
      if (open && message.replyTo && message.replyTo.id === null) app.conversation.reloadSoon();
      const chat = state.chats.find((c) => c.id === jid);
      if (!chat) {
        app.refreshSoon();
        return;
      }
      if (message.fromMe || known) return;
      if (open && looking) app.markRead(jid);
      else if (isOwnChat(chat, state.me))
        app.notifier.notify(jid, chat.name || jid, chat.preview ?? "New message");
      return;
    }
    case "chat.assigned":
      app.assignedEffects(event.jid, event.agentId);
      return;
    case "outbox.status":
      // A send of another page (or from before a reload): the outbox list has it.
      if (!app.tracker.fromEvent(event) && event.status !== "sent") app.outboxSoon();
      return;
    case "note.new":
      app.conversation.noteArrived(event.jid, event.note);
      return;
    case "resync":
      app.resync();
      return;
    default:
      return;
  }
}
