/**
 * /admin's agents' report: per agent, conversations, first response (median, p90), median
 * resolution time and messages sent over the days chosen, with the same report as a CSV.
 */
import type { ApiClient } from "../client/api-client.ts";
import { type AgentReport, agentsReport, agentsReportCsv } from "../client/team-api.ts";
import { h, replaceChildren } from "./dom.ts";
import { describeError, formatDuration } from "./format.ts";

const DAY_MS = 86_400_000;

/** YYYY-MM-DD of a time, in UTC as the gateway reads dates. */
function isoDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

export class AgentReportPanel {
  readonly element: HTMLElement;
  readonly #api: ApiClient;
  readonly #from = h("input", { type: "date", id: "report-from", name: "from" });
  readonly #to = h("input", { type: "date", id: "report-to", name: "to" });
  // Scrolls sideways on a narrow screen: reachable by keyboard.
  readonly #body = h("div", {
    class: "report__body",
    tabindex: "0",
    role: "region",
    "aria-label": "Agents' report figures",
  });
  readonly #download = h("a", { class: "report__download", hidden: true }, "Download CSV");
  #url: string | undefined;

  constructor(api: ApiClient, now = Date.now()) {
    this.#api = api;
    this.#from.value = isoDay(now - 6 * DAY_MS);
    this.#to.value = isoDay(now);
    this.element = h(
      "div",
      { class: "report" },
      h(
        "form",
        {
          class: "report__range",
          onsubmit: (e) => {
            e.preventDefault();
            void this.load();
          },
        },
        h("label", { for: "report-from" }, "From"),
        this.#from,
        h("label", { for: "report-to" }, "To"),
        this.#to,
        h("button", { type: "submit" }, "Show"),
        this.#download,
      ),
      this.#body,
    );
  }

  async load(): Promise<void> {
    const from = this.#from.value;
    const to = this.#to.value;
    replaceChildren(this.#body, h("p", { class: "panel__note" }, "Loading…"));
    try {
      const [report, csv] = await Promise.all([
        agentsReport(this.#api, from, to),
        agentsReportCsv(this.#api, from, to),
      ]);
      this.#renderTable(report.agents);
      if (this.#url) URL.revokeObjectURL(this.#url);
      this.#url = URL.createObjectURL(csv);
      this.#download.href = this.#url;
      this.#download.download = `agents-${from}-${to}.csv`;
      this.#download.hidden = false;
    } catch (error) {
      this.#download.hidden = true;
      replaceChildren(
        this.#body,
        h("p", { class: "panel__note", role: "alert" }, `No report: ${describeError(error)}`),
      );
    }
  }

  #renderTable(agents: readonly AgentReport[]): void {
    if (agents.length === 0) {
      replaceChildren(this.#body, h("p", { class: "panel__note" }, "No agents yet."));
      return;
    }
    const time = (ms: number | null) => (ms === null ? "—" : formatDuration(ms));
    const headers = [
      "Agent",
      "Conversations",
      "First response (median)",
      "First response (p90)",
      "Resolution (median)",
      "Messages sent",
    ];
    replaceChildren(
      this.#body,
      h(
        "table",
        { class: "table report__table" },
        h("caption", { class: "visually-hidden" }, "Agents' report"),
        h("thead", {}, h("tr", {}, ...headers.map((t) => h("th", { scope: "col" }, t)))),
        h(
          "tbody",
          {},
          ...agents.map((a) =>
            h(
              "tr",
              { "data-agent": a.agentId },
              h("th", { scope: "row" }, a.name ?? a.agentId),
              h("td", {}, String(a.conversations)),
              h("td", {}, time(a.firstResponseMedianMs)),
              h("td", {}, time(a.firstResponseP90Ms)),
              h("td", {}, time(a.resolutionMedianMs)),
              h("td", {}, String(a.messagesSent)),
            ),
          ),
        ),
      ),
    );
  }
}
