/**
 * What WAHA's copy of each chat says of the sends a benchmark asked for: each text missing,
 * there more than once, or out of its chat's order (texts end in "message N", N growing).
 */
import type { Stack } from "../tools/stack.ts";

export interface Asked {
  agent: number;
  text: string;
  at: number;
}

/** A WAHA (simulator) to read: the stack's, or one of several numbers'. */
export type WahaCopy = Pick<Stack, "control"> & {
  sim: { url: string };
  secrets: { apiKey: string };
};

export async function sendsAtWaha(
  stack: WahaCopy,
  agents: number,
  jidOf: (agent: number) => string,
  asked: Iterable<Asked>,
  session = "default",
): Promise<{ missing: number; duplicates: number; outOfOrder: number }> {
  const all = [...asked];
  let missing = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  // WEBJS lists only what WhatsApp Web has loaded: load all of it, to count every send.
  await stack.control("config", { webjsLoadBatch: 10_000 }, "PUT");
  for (let agent = 0; agent < agents; agent++) {
    const res = await fetch(
      `${stack.sim.url}/api/${session}/chats/${jidOf(agent)}/messages?limit=1000&downloadMedia=false`,
      { headers: { "X-Api-Key": stack.secrets.apiKey } },
    );
    const list = (await res.json()) as Array<{
      fromMe: boolean;
      body: string | null;
      timestamp: number;
    }>;
    // Newest first; within one second in the order WAHA took them.
    const texts = list
      .map((m, i) => ({ m, i }))
      .sort((a, b) => a.m.timestamp - b.m.timestamp || a.i - b.i)
      .filter(({ m }) => m.fromMe)
      .map(({ m }) => m.body ?? "");
    for (const { text } of all.filter((a) => a.agent === agent)) {
      const count = texts.filter((t) => t === text).length;
      if (count === 0) missing++;
      if (count > 1) duplicates += count - 1;
    }
    const order = texts
      .map((t) => Number(/message (\d+)$/.exec(t)?.[1] ?? -1))
      .filter((n) => n >= 0);
    for (let i = 1; i < order.length; i++) if ((order[i] ?? 0) < (order[i - 1] ?? 0)) outOfOrder++;
  }
  return { missing, duplicates, outOfOrder };
}
