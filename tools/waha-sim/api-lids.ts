// WAHA's lid ↔ phone number routes: the known pairs, their count, and a lookup either way.
// A lid WAHA cannot map is answered with `pn: null` (200), never 404.
// WAHA: src/api/lids.controller.ts, src/structures/lids.dto.ts; the engines' findPNByLid and
// findLIDByPhoneNumber (toCusFormat / toJID on the way in and out)
import type { Ctx } from "./context.ts";
import { badRequest, intParam, requireWorking, storeRefusal } from "./guards.ts";
import { isLidId, toCus } from "./jids.ts";
import { json, nestError, type Reply } from "./reply.ts";

export async function listLids(ctx: Ctx, session: string): Promise<Reply> {
  const refused = await requireWorking(ctx, session);
  if (refused) return refused;
  // LidsListQueryParams: 100 from 0, always by lid ascending.
  const limit = intParam(ctx.query, "limit", 100);
  const offset = intParam(ctx.query, "offset", 0);
  const errors = [limit, offset].filter((v): v is string => typeof v === "string");
  if (errors.length > 0 || typeof limit === "string" || typeof offset === "string") {
    return badRequest(errors);
  }
  const noStore = storeRefusal(ctx);
  if (noStore) return noStore;
  const all = ctx.sim.store.allLids().sort((a, b) => (a.lid < b.lid ? -1 : a.lid > b.lid ? 1 : 0));
  return json(200, all.slice(offset, limit === 0 ? undefined : offset + limit));
}

export async function countLids(ctx: Ctx, session: string): Promise<Reply> {
  const refused = await requireWorking(ctx, session);
  if (refused) return refused;
  const noStore = storeRefusal(ctx);
  if (noStore) return noStore;
  return json(200, { count: ctx.sim.store.allLids().length });
}

export async function findPnByLid(ctx: Ctx, session: string, raw: string): Promise<Reply> {
  const refused = await requireWorking(ctx, session);
  if (refused) return refused;
  const lid = raw.includes("@") ? raw : `${raw}@lid`;
  if (!isLidId(lid)) return nestError(422, "Invalid LID - it must end with @lid");
  const noStore = storeRefusal(ctx);
  if (noStore) return noStore;
  return json(200, { lid, pn: ctx.sim.store.pnOfLid(lid) ?? null });
}

export async function findLidByPn(ctx: Ctx, session: string, phone: string): Promise<Reply> {
  const refused = await requireWorking(ctx, session);
  if (refused) return refused;
  const noStore = storeRefusal(ctx);
  if (noStore) return noStore;
  if (isLidId(phone)) return json(200, { lid: phone, pn: null });
  const pn = toCus(phone.includes("@") ? phone : `${phone}@c.us`);
  return json(200, { lid: ctx.sim.store.lidOfPn(pn) ?? null, pn });
}
