/**
 * Who is who in the several-numbers realtime bench: which user holds each socket of each
 * number, who owns each chat on each number (the same chat ids on every number, another
 * owner on each), which numbers each agent works, and the SQL that seeds all of it.
 */
import type { Role } from "../src/lib/types.ts";

/** Agents who work one number, per number. */
export const AGENTS = 10;
/** Agents who work a number and the next one, per pair. */
export const DUAL = 2;
const NAMES = ["sales", "support", "billing", "shipping", "returns", "partners", "press", "jobs"];

export const numberId = (k: number) => NAMES[k] ?? `number-${k}`;
export const soloAgent = (k: number, j: number) => `bench-${numberId(k)}-${j}`;
const dualAgent = (pair: number, j: number) => `bench-dual-${pair}-${j}`;
/** Chat j exists on every number: 0..AGENTS-1 solo agents', then the two pairs' chats. */
export const chatOf = (j: number) => `15557770${String(j).padStart(3, "0")}@c.us`;
export const CHATS = AGENTS + 2 * DUAL;

/** Who holds socket `slot` of number k: one in ten staff, two in ten agents of two numbers. */
export function holder(
  k: number,
  slot: number,
  count: number,
): { role: Role; agent: string | null } {
  const row = Math.floor(slot / 10);
  const col = slot % 10;
  if (col === 0) return { role: slot % 20 === 0 ? "admin" : "user", agent: null };
  // Pair p works numbers p and p+1: its browser's socket is slot 10b+8 on p, 10b+9 on p+1.
  if (col === 8) return { role: "agent", agent: dualAgent(k, row % DUAL) };
  if (col === 9) return { role: "agent", agent: dualAgent((k - 1 + count) % count, row % DUAL) };
  return { role: "agent", agent: soloAgent(k, (row * 7 + col - 1) % AGENTS) };
}

/** Owner of chat j on number k (the same jid has another owner on every other number). */
function ownerOf(k: number, j: number, count: number): string {
  if (j < AGENTS) return soloAgent(k, j);
  if (j < AGENTS + DUAL) return dualAgent(k, j - AGENTS);
  return dualAgent((k - 1 + count) % count, j - AGENTS - DUAL);
}

/** Owners by `<number> <jid>`, the numbers each agent works, and the seed SQL. */
export function plan(count: number): {
  owners: Map<string, string>;
  works: Map<string, Set<string>>;
  seed: string;
} {
  const owners = new Map<string, string>();
  const works = new Map<string, Set<string>>();
  const work = (agent: string, number: string) => {
    const set = works.get(agent) ?? new Set();
    set.add(number);
    works.set(agent, set);
  };
  for (let k = 0; k < count; k++) {
    for (let j = 0; j < CHATS; j++) owners.set(`${numberId(k)} ${chatOf(j)}`, ownerOf(k, j, count));
    for (let j = 0; j < AGENTS; j++) work(soloAgent(k, j), numberId(k));
    for (let j = 0; j < DUAL; j++) {
      work(dualAgent(k, j), numberId(k));
      work(dualAgent(k, j), numberId((k + 1) % count));
    }
  }
  const seed = [
    ...[...works].map(
      ([id, numbers]) =>
        `INSERT INTO agents (id, name, numbers) VALUES ('${id}', '${id}', '${JSON.stringify([...numbers])}');`,
    ),
    ...[...owners].map(([key, agent]) => {
      const [number, jid] = key.split(" ");
      return `INSERT INTO chat_assignments (number, jid, assigned_to, first_message_at) VALUES ('${number}', '${jid}', '${agent}', '2024-01-01T00:00:00.000Z');`;
    }),
  ].join(" ");

  return { owners, works, seed };
}
