/**
 * ContactAvatar: one per contact (number and jid). Every agent's browser that wants the
 * picture asks this object, so WAHA is asked at most once per WA_AVATAR_TTL_MS whoever
 * asks and however many at once: concurrent askers share the one call. The answer (the
 * bytes, or "none") is kept here until the TTL, and the time goes to D1 for the chat list.
 */
import { DurableObject } from "cloudflare:workers";
import { loadConfig } from "../src/lib/config.ts";
import { type AvatarLoad, loadAvatar } from "../src/lib/contacts/avatar-source.ts";
import { recordAvatar } from "../src/lib/contacts/contacts-db.ts";
import type { AvatarAnswer } from "../src/lib/contracts/avatar.ts";
import type { Result } from "../src/lib/contracts/result.ts";
import { numberById, type WaNumber } from "../src/lib/waha/numbers.ts";
import { alarmBy } from "./alarm-by.ts";

interface Kept {
  kind: "picture" | "none";
  checkedAt: number;
  mimetype?: string;
  bytes?: ArrayBuffer;
}

/** A failed look is not repeated for this long (WAHA or the CDN may be struggling). */
const FAILED_RETRY_MS = 30_000;

export class ContactAvatar extends DurableObject<Env> {
  private inflight: Promise<AvatarAnswer> | null = null;
  private failedUntil = 0;

  async read(number: string, jid: string): Promise<AvatarAnswer> {
    const loaded = loadConfig(this.env);
    if (!loaded.ok) {
      return {
        kind: "failed",
        failure: {
          status: 502,
          error: "upstream-error",
          message: "the gateway's config is invalid",
        },
      };
    }
    const ttl = loaded.config.WA_AVATAR_TTL_MS;
    const now = Date.now();
    const kept = this.ctx.storage.kv.get<Kept>("avatar");
    if (kept && now - kept.checkedAt < ttl) return answerOf(kept, ttl, "HIT");
    if (this.inflight) {
      const shared = await this.inflight;
      return shared.kind === "picture" ? { ...shared, cache: "COALESCED" } : shared;
    }
    if (now < this.failedUntil) {
      return {
        kind: "failed",
        failure: {
          status: 502,
          error: "avatar-upstream",
          message: "the last look for this picture failed; it is not repeated yet",
          retryAfterMs: this.failedUntil - now,
        },
      };
    }
    const wa = numberById(loaded.config, number);
    if (!wa) {
      return {
        kind: "failed",
        failure: { status: 400, error: "invalid-request", message: `number: no number ${number}` },
      };
    }
    this.inflight = this.refresh(wa, jid, ttl);
    try {
      return await this.inflight;
    } finally {
      this.inflight = null;
    }
  }

  private async refresh(wa: WaNumber, jid: string, ttl: number): Promise<AvatarAnswer> {
    const number = wa.id;
    let loaded: Result<AvatarLoad>;
    try {
      loaded = await loadAvatar(this.env, wa, jid);
    } catch (err) {
      loaded = {
        ok: false,
        failure: {
          status: 502,
          error: "avatar-upstream",
          message: `the call to WAHA failed inside the gateway: ${String(err)}`,
        },
      };
    }
    const checkedAt = Date.now();
    if (!loaded.ok) {
      this.failedUntil = checkedAt + (loaded.failure.retryAfterMs ?? FAILED_RETRY_MS);
      return { kind: "failed", failure: loaded.failure };
    }
    const value = loaded.value;
    const kept: Kept =
      value.kind === "picture"
        ? { kind: "picture", checkedAt, mimetype: value.mimetype, bytes: value.bytes }
        : { kind: "none", checkedAt };
    this.ctx.storage.kv.put("avatar", kept);
    // Kept bytes go when the TTL is over and nobody asked again.
    await alarmBy(this.ctx.storage, checkedAt + ttl);
    try {
      await recordAvatar(
        this.env.DB,
        number,
        jid,
        value.kind === "picture" ? "some" : "none",
        checkedAt,
        value.savedName,
      );
    } catch (err) {
      console.error(`[avatar] recording ${jid} failed: ${String(err)}`);
    }
    return answerOf(kept, ttl, "MISS");
  }

  override async alarm(): Promise<void> {
    const kept = this.ctx.storage.kv.get<Kept>("avatar");
    const loaded = loadConfig(this.env);
    const ttl = loaded.ok ? loaded.config.WA_AVATAR_TTL_MS : 0;
    if (kept && Date.now() - kept.checkedAt >= ttl) this.ctx.storage.kv.delete("avatar");
    else if (kept) await this.ctx.storage.setAlarm(kept.checkedAt + ttl);
  }
}

function answerOf(kept: Kept, ttl: number, cache: "HIT" | "MISS"): AvatarAnswer {
  const freshForMs = Math.max(0, kept.checkedAt + ttl - Date.now());
  if (kept.kind === "picture" && kept.bytes) {
    return {
      kind: "picture",
      bytes: kept.bytes,
      mimetype: kept.mimetype ?? "image/jpeg",
      freshForMs,
      cache,
    };
  }
  return { kind: "none", freshForMs };
}
