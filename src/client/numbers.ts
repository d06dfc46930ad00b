/**
 * The WhatsApp numbers as the inbox uses them: the ids it speaks for ("" for a gateway that
 * names none), the number the header watches, the numbers asked for first (again until the
 * gateway answers), and the lists read per number and merged (outbox, search).
 */
import type { ApiClient } from "./api-client.ts";
import type { InboxState } from "./inbox-state.ts";
import { RetryingLoad } from "./retrying-load.ts";
import type { OutboxEntry, SearchHit, WaNumber } from "./types.ts";

/** The numbers' ids, or [""] for a gateway that names none. */
export function numberIds(state: Pick<InboxState, "numbers">): string[] {
  return state.numbers.length > 0 ? state.numbers.map((n) => n.id) : [""];
}

/** The number in front of the reader: the open chat's, else the one shown, else the first. */
export function watchedNumber(
  state: Pick<InboxState, "open" | "number" | "numbers">,
): string | undefined {
  return state.open?.number || state.number || state.numbers[0]?.id;
}

/** The name the header gives the watched number; none where there is only one. */
export function watchedName(
  state: Pick<InboxState, "numbers">,
  id: string | undefined,
): string | undefined {
  return state.numbers.length > 1 ? state.numbers.find((n) => n.id === id)?.name : undefined;
}

/**
 * The numbers, asked again until the gateway answers: the sockets and every call depend on
 * them (a 404, or another refusal, is an answer: a gateway that names none). `onWait` hears
 * each failure with when the next try is due and a way to try now.
 */
export function firstNumbers(
  api: ApiClient,
  onWait: (error: unknown, retryAt: number, now: () => void) => void,
): { numbers: Promise<WaNumber[] | undefined>; stop: () => void } {
  let load: RetryingLoad<WaNumber[] | undefined> | undefined;
  const numbers = new Promise<WaNumber[] | undefined>((resolve) => {
    const retrying = new RetryingLoad<WaNumber[] | undefined>({
      load: () => api.numbers(),
      capMs: 15_000,
      onValue: resolve,
      onError: (error, retryAt) => {
        if (retryAt === undefined) resolve(undefined);
        else onWait(error, retryAt, () => retrying.now());
      },
    });
    load = retrying;
    retrying.now();
  });
  return { numbers, stop: () => load?.stop() };
}

/** Every number's outbox, each entry naming its number. */
export async function outboxOf(api: ApiClient, ids: readonly string[]): Promise<OutboxEntry[]> {
  const lists = await Promise.all(
    ids.map(async (id) => (await api.outbox(id)).map((e) => ({ number: id, ...e }))),
  );
  return lists.flat();
}

/** One search per number, each hit naming its number, newest first. */
export async function searchOf(
  api: ApiClient,
  query: string,
  ids: readonly string[],
  limit: number,
): Promise<SearchHit[]> {
  const lists = await Promise.all(
    ids.map(async (number) =>
      (await api.search(query, { limit, number })).map((hit) => ({ number, ...hit })),
    ),
  );
  return lists.flat().sort((a, b) => b.timestamp - a.timestamp);
}
