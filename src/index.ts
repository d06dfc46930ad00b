/**
 * wa-edge: the Worker. One Hono app; public routes first, then everything under /api
 * behind a bearer token. Durable Object classes are re-exported for the runtime.
 */
import { Hono } from "hono";
import { loadConfig } from "./lib/config.ts";
import type { Me } from "./lib/contracts/api.ts";
import { errorResponse, handleError } from "./lib/errors.ts";
import { keepStatsSample } from "./lib/monitoring/history.ts";
import { broadcastAll } from "./lib/realtime/broadcast.ts";
import { runMaintenance } from "./lib/store/maintenance.ts";
import { wakeSnoozed } from "./lib/team/status.ts";
import type { AppEnv } from "./lib/types.ts";
import { numbersOf } from "./lib/waha/numbers.ts";
import { requireAuth } from "./middleware/auth.ts";
import { cors } from "./middleware/cors.ts";
import { httpLog } from "./middleware/http-log.ts";
import { requestContext } from "./middleware/request-context.ts";
import { requestMetrics } from "./middleware/request-metrics.ts";
import { agents } from "./routes/agents.ts";
import { assignments } from "./routes/assignments.ts";
import { cannedReplies } from "./routes/canned-replies.ts";
import { chats } from "./routes/chats.ts";
import { contacts } from "./routes/contacts.ts";
import { health } from "./routes/health.ts";
import { media } from "./routes/media.ts";
import { metrics, monitoring } from "./routes/monitoring.ts";
import { sending } from "./routes/outbox.ts";
import { ownMessages } from "./routes/own-messages.ts";
import { polling } from "./routes/polling.ts";
import { realtimeTicket, realtimeUpgrade } from "./routes/realtime.ts";
import { reports } from "./routes/reports.ts";
import { search } from "./routes/search.ts";
import { team } from "./routes/team.ts";
import { waha } from "./routes/waha.ts";
import { wahaSetup } from "./routes/waha-setup.ts";
import { webhook } from "./routes/webhook.ts";

const app = new Hono<AppEnv>();

app.use(requestContext());
app.use(httpLog());
app.use("/api/*", requestMetrics());
app.use("/api/*", cors());
app.use("/metrics", cors());

// Public: no token.
app.route("/api", health);
// Signed by WAHA (HMAC) and by a one-use ticket instead of a bearer token.
app.route("/api", webhook);
app.route("/api", realtimeUpgrade);

// Everything else under /api needs a bearer token.
app.use("/api/*", requireAuth());
// Who is signed in, and how (`via`, plus `signOutUrl` when Sign out must leave the page).
app.get("/api/me", (c) => {
  const me: Me = { ...c.var.user, ...c.var.signIn };
  return c.json(me, 200, { "Cache-Control": "no-store" });
});
app.route("/api", polling);
app.route("/api", media);
app.route("/api", agents);
app.route("/api", assignments);
app.route("/api", cannedReplies);
app.route("/api", realtimeTicket);
app.route("/api", waha);
app.route("/api", wahaSetup);
app.route("/api", chats);
app.route("/api", team);
app.route("/api", reports);
app.route("/api", contacts);
app.route("/api", ownMessages);
app.route("/api", sending);
app.route("/api", search);
app.route("/api", monitoring);

// Prometheus scrapes /metrics; it checks its own bearer token.
app.route("/", metrics);

app.notFound((c) => errorResponse(404, "not-found", `no route for ${c.req.method} ${c.req.path}`));
app.onError(handleError);

/** wrangler.toml [triggers]: the daily one prunes the store. */
const DAILY_CRON = "23 3 * * *";

/**
 * The Cron Triggers: every run ends snoozes whose time has come and keeps a monitoring
 * sample for /admin's charts; the daily run also applies the store's retention.
 */
async function scheduled(controller: ScheduledController, env: Env): Promise<void> {
  const loaded = loadConfig(env);
  if (!loaded.ok) {
    console.error(`[maintenance] skipped: ${loaded.errors.join("; ")}`);
    return;
  }
  const { config } = loaded;
  const now = Date.now();
  for (const { id } of numbersOf(config)) {
    await broadcastAll(env, id, await wakeSnoozed(env.DB, id, now));
  }
  await keepStatsSample(env, config, now);
  if (controller.cron === DAILY_CRON) await runMaintenance(env, config);
}

export default { fetch: app.fetch, request: app.request, scheduled };
export { ContactAvatar } from "../durable-objects/contact-avatar.ts";
export { MediaKey } from "../durable-objects/media-key.ts";
export { MediaLedger } from "../durable-objects/media-ledger.ts";
export { Outbox } from "../durable-objects/outbox.ts";
export { RealtimeHub } from "../durable-objects/realtime-hub.ts";
export { SessionWatch } from "../durable-objects/session-watch.ts";
export { Stats } from "../durable-objects/stats.ts";
export { WahaGate } from "../durable-objects/waha-gate.ts";
export { WahaResource } from "../durable-objects/waha-resource.ts";
