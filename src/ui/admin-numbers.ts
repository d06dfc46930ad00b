/**
 * /admin's WhatsApp numbers, where there are several: each number's session status, its
 * WAHA server's breaker and calls, and whether its webhooks flow; and which numbers each
 * agent works, which an admin changes here (`PATCH /api/agents/{id} {numbers}`).
 */
import type { ApiClient } from "../client/api-client.ts";
import type { Agent, NumberStats, WaNumber } from "../client/types.ts";
import { fmt } from "./admin-format.ts";
import { h, replaceChildren } from "./dom.ts";
import { describeError, sessionLabel } from "./format.ts";

/** The numbers' table; hidden while the stats name no numbers (one number: the tiles say it all). */
export function renderNumbers(
  body: HTMLElement,
  stats: Record<string, NumberStats> | undefined,
  numbers: readonly WaNumber[] | undefined,
): void {
  const rows = Object.entries(stats ?? {});
  body.hidden = rows.length < 2;
  if (body.hidden) return;
  const names = new Map((numbers ?? []).map((n) => [n.id, n.name]));
  const head = ["number", "session", "breaker", "WAHA calls", "webhooks"];
  replaceChildren(
    body,
    h(
      "table",
      { class: "table numbers-table" },
      h("caption", { class: "visually-hidden" }, "Each WhatsApp number's session and WAHA calls"),
      h("thead", {}, h("tr", {}, ...head.map((c) => h("th", { scope: "col" }, c)))),
      h(
        "tbody",
        {},
        ...rows.map(([id, n]) =>
          h(
            "tr",
            { "data-number": id },
            h("th", { scope: "row" }, names.get(id) ?? id),
            h("td", { "data-status": n.status ?? "" }, sessionLabel(n.status ?? undefined)),
            h("td", {}, n.circuit.state),
            h("td", {}, `${fmt(n.upstream.calls)}, ${fmt(n.upstream.errors)} failed`),
            h("td", {}, n.silent ? "SILENT" : "flowing"),
          ),
        ),
      ),
    ),
  );
}

export interface AgentNumbersProps {
  api: ApiClient;
  agents: readonly Agent[];
  numbers: readonly WaNumber[] | undefined;
  /** Admins change them; users only read. */
  editable: boolean;
}

/** One row per agent: a box per number (none ticked: every number). */
export function renderAgentNumbers(body: HTMLElement, props: AgentNumbersProps): void {
  const numbers = props.numbers ?? [];
  body.hidden = numbers.length < 2 || props.agents.length === 0;
  if (body.hidden) return;
  replaceChildren(
    body,
    h(
      "ul",
      { class: "agent-numbers" },
      ...props.agents.map((agent) => agentRow(agent, numbers, props)),
    ),
    h(
      "p",
      { class: "panel__note" },
      "An agent with no number ticked works every number, new ones included.",
    ),
  );
}

function agentRow(agent: Agent, numbers: readonly WaNumber[], props: AgentNumbersProps) {
  const status = h("span", { class: "agent-numbers__status", role: "status" });
  const boxes = numbers.map((n) =>
    h("input", {
      type: "checkbox",
      value: n.id,
      checked: agent.numbers?.includes(n.id) ?? false,
      disabled: !props.editable,
    }),
  );
  const save = async () => {
    const ticked = boxes.filter((b) => b.checked).map((b) => b.value);
    status.textContent = "Saving…";
    try {
      await props.api.updateAgent(agent.id, { numbers: ticked.length > 0 ? ticked : null });
      status.textContent = ticked.length > 0 ? "Saved" : "Saved: every number";
    } catch (error) {
      status.textContent = `Not saved: ${describeError(error)}`;
    }
  };
  for (const box of boxes) box.addEventListener("change", () => void save());
  return h(
    "li",
    { class: "agent-numbers__row", "data-agent": agent.id },
    h("span", { class: "agent-numbers__name" }, agent.name),
    ...numbers.map((n, i) => h("label", {}, boxes[i], ` ${n.name}`)),
    status,
  );
}
