/**
 * wa-edge: the Worker. One Hono app; public routes first, then everything under /api
 * behind a bearer token. Durable Object classes are re-exported for the runtime.
 */
import { Hono } from "hono";
import { requireAuth } from "./lib/auth.ts";
import { requestContext } from "./lib/context.ts";
import { cors } from "./lib/cors.ts";
import { errorResponse, handleError } from "./lib/errors.ts";
import { httpLog } from "./lib/http-log.ts";
import { requestMetrics } from "./lib/metrics.ts";
import type { AppEnv } from "./lib/types.ts";
import { health } from "./routes/health.ts";
import { media } from "./routes/media.ts";
import { polling } from "./routes/polling.ts";

const app = new Hono<AppEnv>();

app.use(requestContext());
app.use(httpLog());
app.use("/api/*", requestMetrics());
app.use("/api/*", cors());

// Public: no token.
app.route("/api", health);

// Everything else under /api needs a bearer token.
app.use("/api/*", requireAuth());
app.get("/api/me", (c) => c.json(c.var.user));
app.route("/api", polling);
app.route("/api", media);

app.notFound((c) => errorResponse(404, "not-found", `no route for ${c.req.method} ${c.req.path}`));
app.onError(handleError);

export default app;
export { MediaGate } from "../durable-objects/media-gate.ts";
export { MediaKey } from "../durable-objects/media-key.ts";
export { MediaLedger } from "../durable-objects/media-ledger.ts";
export { Stats } from "../durable-objects/stats.ts";
