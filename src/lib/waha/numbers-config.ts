/**
 * How WAHA_URL and WAHA_NUMBERS are checked: a WAHA base URL, and the JSON list of the
 * numbers a gateway serves, entry by entry (config.ts names the variable, and for a list
 * its entry and field: WAHA_NUMBERS[1].url).
 */
import * as z from "zod/mini";

export const wahaUrl = z.pipe(
  z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
  z.transform((u: string) => u.replace(/\/+$/, "")),
);

/**
 * WAHA_NUMBERS: a JSON array of the WhatsApp numbers this gateway serves, each on its WAHA
 * server (several may share one WAHA Plus). Checked whole; the first bad entry is named.
 */
const numberEntry = z.object({
  id: z.string().check(z.regex(/^[a-z0-9-]{1,32}$/, { error: "must be 1–32 of a–z 0–9 -" })),
  name: z.string().check(z.minLength(1, { error: "is required" }), z.maxLength(64)),
  url: wahaUrl,
  session: z._default(
    z
      .string()
      .check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "must be 1–64 of A–Z a–z 0–9 _ -" })),
    "default",
  ),
  apiKey: z.string().check(z.minLength(1, { error: "is required" })),
  webhookHmacKey: z.optional(
    z.string().check(z.minLength(16, { error: "must be at least 16 characters" })),
  ),
});

export const numbersSchema = z.pipe(
  z.transform((v: unknown, ctx) => {
    if (typeof v !== "string") return v;
    try {
      return JSON.parse(v);
    } catch {
      ctx.issues.push({ code: "custom", input: v, message: "must be a JSON array of numbers" });
      return z.NEVER;
    }
  }),
  z.array(numberEntry, { error: "must be a JSON array of numbers" }).check(
    z.minLength(1, { error: "must list at least one number" }),
    z.refine((list) => new Set(list.map((n) => n.id)).size === list.length, {
      error: "must not repeat a number's id",
    }),
    z.refine(
      (list) =>
        new Set(list.map((n) => `${new URL(n.url).origin}\n${n.session}`)).size === list.length,
      { error: "must not list one WAHA session twice" },
    ),
  ),
);
