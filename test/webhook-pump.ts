/**
 * WAHA's webhooks in a workerd test, as a configured WAHA sends them: the Worker under test
 * has no port, so the simulator keeps each delivery attempt in its mailbox (webhookUrl
 * `mailbox:`), and `withWebhooks` hands them to the Worker's webhook route while a test's
 * work runs, answering WAHA with the Worker's status (so WAHA's retries and the order of a
 * send's answer and its `message.any` echo are WAHA's own).
 */
import { env, exports } from "cloudflare:workers";
import { vi } from "vitest";
import type { Letter } from "../tools/waha-sim/mailbox.ts";
import type { SendEcho } from "../tools/waha-sim/send-echo.ts";
import { ORIGIN, sim } from "./helpers.ts";

/**
 * WAHA configured as a deployment configures it: webhooks on, signed, to the gateway; the
 * echo of a send `echo` against its answer; WAHA's clock the test's (which may run ahead).
 */
export async function webhooksOn(echo: SendEcho = "with"): Promise<void> {
  await sim.control(
    "config",
    {
      webhookUrl: "mailbox:",
      webhookHmacKey: env.WAHA_WEBHOOK_HMAC_KEY,
      // WAHA's retries, quickly: a refused delivery comes back within the test.
      webhookRetries: { attempts: 15, delayMs: 50, policy: "constant" },
      sendEcho: echo,
      clockOffsetMs: Date.now() - vi.getRealSystemTime(),
    },
    "PUT",
  );
}

/** After the test's clock moved: WAHA's moves with it. */
export async function syncWahaClock(): Promise<void> {
  await sim.control("config", { clockOffsetMs: Date.now() - vi.getRealSystemTime() }, "PUT");
}

async function deliver(letter: Letter): Promise<void> {
  const res = await exports.default.fetch(
    new Request(`${ORIGIN}/api/waha/webhook`, {
      method: "POST",
      headers: letter.headers,
      body: letter.body,
    }),
  );
  await res.arrayBuffer();
  await sim.control(`mailbox/${letter.id}`, { status: res.status });
}

/** Delivers what WAHA sends while `work` runs, and what it sent by the time it ended. */
export async function withWebhooks<T>(work: () => Promise<T>): Promise<T> {
  let done = false;
  const pump = (async () => {
    // One last look after the work ended: an echo may leave just after its answer.
    for (let last = false; !last; ) {
      last = done;
      const letters = await sim.control<Letter[]>(`mailbox?waitMs=${last ? 100 : 50}`);
      for (const letter of letters) await deliver(letter);
      if (last && letters.length > 0) last = false;
    }
  })();
  try {
    return await work();
  } finally {
    done = true;
    await pump;
  }
}
