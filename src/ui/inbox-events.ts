/** What each realtime frame changes on the inbox page (WAHA's own health aside). */
import type { RealtimeEvent } from "../client/realtime-events.ts";
import type { InboxApp } from "./inbox-app.ts";

export function applyEvent(app: InboxApp, event: RealtimeEvent): void {
  const { conversation } = app;
  const open = "jid" in event && conversation.jid === event.jid;
  switch (event.type) {
    case "message.new":
      app.newMessage(event.jid, event.message);
      break;
    case "message.status":
      if (open) conversation.patch(event.id, (m) => ({ ...m, ackName: event.status }));
      break;
    case "message.edited":
      if (open)
        conversation.patch(event.id, (m) => ({ ...m, body: event.body, editedAt: Date.now() }));
      break;
    case "message.revoked":
      if (open) {
        conversation.patch(event.id, (m) => ({
          ...m,
          body: null,
          media: null,
          hasMedia: false,
          revokedAt: Date.now(),
        }));
      }
      break;
    case "message.reaction":
      if (open) {
        conversation.patch(event.id, (m) => {
          const others = (m.reactions ?? []).filter((r) => r.from !== event.from);
          const reactions = event.reaction
            ? [...others, { from: event.from, text: event.reaction }]
            : others;
          return { ...m, reactions };
        });
      }
      break;
    case "chat.assigned":
      app.assigned(event.jid, event.agentId);
      break;
    case "outbox.status":
      // A send of another page (or from before a reload): the outbox list has it.
      if (!app.tracker.fromEvent(event) && event.status !== "sent") app.outboxSoon();
      break;
    case "resync":
      app.resync();
      break;
    case "session.status":
    case "upstream.status":
      break;
  }
}
