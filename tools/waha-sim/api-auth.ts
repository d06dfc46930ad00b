// GET /api/{session}/auth/qr: the pairing QR while the session waits for a scan, as a PNG, as
// base64 JSON (Accept: application/json) or as the raw value (format=raw).
// WAHA: src/api/auth.controller.ts (getQR), src/nestjs/BufferResponseInterceptor.ts,
// src/nestjs/pipes/SessionPipe.ts (QRCodeSessionPipe), src/core/QR.ts
import type { Ctx } from "./context.ts";
import { qrPng } from "./formats/qr.ts";
import { requireStatus } from "./guards.ts";
import { json, type Reply } from "./reply.ts";

export async function getQr(ctx: Ctx, session: string): Promise<Reply> {
  const { sim } = ctx;
  const refused = await requireStatus(ctx, session, "SCAN_QR_CODE");
  if (refused) return refused;
  const raw = sim.qrValue();
  // QRCodeQuery is not validated: anything but "raw" is an image.
  if (ctx.query.get("format") === "raw") return json(200, { value: raw });
  const png = qrPng(raw);
  if (ctx.accept === "application/json") {
    return json(200, { mimetype: "image/png", data: png.toString("base64") });
  }
  return {
    status: 200,
    headers: { "Content-Type": "image/png", "Content-Length": png.length },
    body: png,
  };
}
