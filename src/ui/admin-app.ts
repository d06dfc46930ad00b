/**
 * /admin: the gateway's monitoring counters as a page a person reads at a glance — WAHA
 * calls per minute against browser requests, the cache's hit rate, media turned away, the
 * circuit breaker, WAHA's webhooks (flowing or SILENT), live connections, each WhatsApp
 * number's status, breaker and calls, how the chats are spread over the agents (and which
 * numbers each works), and the agents' report. The charts open with the samples the
 * gateway kept.
 */
import type { ApiClient } from "../client/api-client.ts";
import { ApiError } from "../client/api-error.ts";
import { sessionSummary } from "../client/session-summary.ts";
import { StatsHistory } from "../client/stats-history.ts";
import { statsHistory } from "../client/team-api.ts";
import type {
  Agent,
  Chat,
  ChatAssignment,
  Me,
  MonitoringStats,
  WaNumber,
} from "../client/types.ts";
import { documentVisibility } from "../client/visibility.ts";
import { fmt, legend, mb, pct } from "./admin-format.ts";
import { renderAgentNumbers, renderNumbers } from "./admin-numbers.ts";
import { AgentReportPanel } from "./admin-reports.ts";
import type { PageApp, PageDeps } from "./boot.ts";
import { CannedAdmin } from "./canned-admin.ts";
import { barChart, lineChart } from "./charts.ts";
import { h, replaceChildren } from "./dom.ts";
import { clockTime, describeError, formatDuration, formatTime, toMillis } from "./format.ts";

const STATS_EVERY_MS = 5_000;
const LOAD_EVERY_MS = 30_000;
/** Samples kept: 5 s apart, ten minutes (the gateway's, WA_STATS_SAMPLE_MS apart, longer). */
const HISTORY = 120;
/** How far back the gateway's samples are asked for on load. */
const HISTORY_MINUTES = 20;

export class AdminApp implements PageApp {
  readonly element: HTMLElement;
  readonly #api: ApiClient;
  readonly #me: Me;
  readonly #history = new StatsHistory(HISTORY);
  readonly #visibility = documentVisibility();
  readonly #updated = h("p", { class: "admin__updated" });
  readonly #glance = h("dl", { class: "tiles" });
  readonly #traffic = h("div", { class: "panel__body" });
  readonly #hits = h("div", { class: "panel__body" });
  readonly #rejections = h("div", { class: "panel__body" });
  readonly #agents = h("div", { class: "panel__body" });
  readonly #endpoints = h("div", { class: "panel__body" });
  readonly #report: AgentReportPanel;
  readonly #numbers = h("div", { class: "panel__body", hidden: true });
  readonly #agentNumbers = h("div", { class: "panel__body", hidden: true });
  readonly #main: HTMLElement;
  readonly #canned: CannedAdmin;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastLoad = 0;
  #load:
    | {
        agents: Agent[];
        assignments: ChatAssignment[];
        chats: Chat[];
        numbers: WaNumber[] | undefined;
      }
    | undefined;
  #stopped = false;
  /** The load the agents' numbers were drawn from (redrawn only with a new one). */
  #agentNumbersFor: unknown;

  constructor(deps: PageDeps) {
    this.#api = deps.api;
    this.#me = deps.me;
    this.#report = new AgentReportPanel(deps.api);
    this.#canned = new CannedAdmin(deps.api);
    const panel = (id: string, title: string, body: HTMLElement) =>
      h(
        "section",
        // Hidden until there is something to show (the numbers' panels, with several numbers).
        { class: "panel", "aria-labelledby": id, hidden: body.hidden },
        h("h2", { id, class: "panel__title" }, title),
        body,
      );
    this.#main = h(
      "main",
      { class: "admin", "aria-labelledby": "admin-title" },
      h("h2", { class: "visually-hidden", id: "glance-title" }, "At a glance"),
      this.#glance,
      h(
        "div",
        { class: "panels" },
        panel("traffic-title", "WAHA calls against browser requests", this.#traffic),
        panel("hits-title", "Cache hit rate", this.#hits),
        panel("rejections-title", "Media turned away", this.#rejections),
        panel("agents-title", "Agents' load", this.#agents),
        panel("endpoints-title", "WAHA calls by endpoint", this.#endpoints),
        panel("report-title", "Agents' report", this.#report.element),
        panel("numbers-title", "WhatsApp numbers", this.#numbers),
        panel("agent-numbers-title", "Which numbers each agent works", this.#agentNumbers),
      ),
      this.#canned.element,
    );
    this.element = h(
      "div",
      { class: "app app--admin" },
      h(
        "header",
        { class: "topbar" },
        h("h1", { class: "topbar__title", id: "admin-title" }, "wa-edge monitoring"),
        this.#updated,
        h(
          "p",
          { class: "user" },
          h("a", { href: "/", class: "topbar__admin" }, "Inbox"),
          h(
            "span",
            { class: "user__name" },
            `Signed in as ${deps.me.name ?? deps.me.sub} (${deps.me.role})`,
          ),
          h(
            "button",
            { type: "button", class: "user__signout", onclick: deps.onSignOut },
            "Sign out",
          ),
        ),
      ),
      this.#main,
    );
    this.#visibility.subscribe((visible) => {
      if (visible && !this.#stopped) this.#schedule(0);
    });
  }

  async start(): Promise<void> {
    if (this.#me.role === "agent") {
      replaceChildren(
        this.#main,
        h("p", { class: "admin__denied", role: "alert" }, "Monitoring is for admins and users. "),
        h("a", { href: "/" }, "Back to the inbox"),
      );
      return;
    }
    // The gateway's samples first: the charts are drawn on the first reading.
    this.#history.seed(await statsHistory(this.#api, HISTORY_MINUTES).catch(() => []));
    void this.#report.load();
    void this.#canned.load();
    await this.#tick();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#tick(), ms);
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    const now = Date.now();
    try {
      const wantLoad = now - this.#lastLoad >= LOAD_EVERY_MS;
      const [stats, load] = await Promise.all([
        this.#api.stats(),
        wantLoad ? this.#loadAgents() : Promise.resolve(undefined),
      ]);
      if (load) {
        this.#load = load;
        this.#lastLoad = now;
      }
      this.#history.add(stats, Date.now());
      this.#render(stats);
      this.#updated.textContent = `Updated ${clockTime(Date.now())} · every ${STATS_EVERY_MS / 1000} s`;
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) {
        replaceChildren(
          this.#main,
          h("p", { role: "alert" }, "Monitoring is for admins and users."),
        );
        return;
      }
      this.#updated.textContent = `Could not update: ${describeError(error)} (trying again)`;
    }
    // The first stretch comes quickly, so the rates show soon after the page opens.
    if (this.#visibility.visible())
      this.#schedule(this.#history.points.length === 0 ? 2_000 : STATS_EVERY_MS);
  }

  async #loadAgents() {
    const numbers = await this.#api.numbers().catch(() => undefined);
    // Assignments are listed per number; chats without one come from every number.
    const ids = numbers?.length ? numbers.map((n) => n.id) : [undefined];
    const [agents, lists, chats] = await Promise.all([
      this.#api.agents(),
      Promise.all(ids.map((id) => this.#api.assignments(id))),
      this.#api.chats(),
    ]);
    return { agents, assignments: lists.flat(), chats, numbers };
  }

  #render(stats: MonitoringStats): void {
    const points = this.#history.points;
    const last = points.at(-1);
    // The same minute on both sides: WAHA's calls are counted by the gateway over the last
    // 60 s, browser requests from this page's samples of that minute.
    const minute = points.filter((p) => p.at >= (last?.at ?? 0) - 60_000);
    const requestsNow =
      minute.length === 0
        ? undefined
        : minute.reduce((n, p) => n + p.requestsPerMinute, 0) / minute.length;
    const waha = stats.upstream.callsPerMinute;
    const share = requestsNow
      ? `${Math.round((100 * waha) / Math.max(waha, requestsNow))} % of them reach WAHA`
      : "measuring…";
    const recentRejected = points.slice(-60).reduce((n, p) => n + p.mediaRejections, 0);
    const { circuit } = stats;
    const openedAt = toMillis(circuit.openedAt);
    const webhooks = sessionSummary(stats.session, (iso) => clockTime(Date.parse(iso)));
    const tile = (label: string, value: string, note: string, tone = "") =>
      h(
        "div",
        { class: `tile${tone ? ` tile--${tone}` : ""}` },
        h("dt", { class: "tile__label" }, label),
        h("dd", { class: "tile__value" }, value),
        h("dd", { class: "tile__note" }, note),
      );
    replaceChildren(
      this.#glance,
      tile(
        "WAHA calls / min",
        fmt(waha),
        `against ${requestsNow === undefined ? "…" : fmt(requestsNow)} browser requests / min; ${share}`,
      ),
      tile(
        "Cache hit rate",
        pct(stats.cache.hitRate),
        `last stretch: ${last?.hitRate == null ? "no cached reads" : pct(last.hitRate)}`,
      ),
      tile(
        "Media turned away",
        fmt(stats.media.busyRejections + stats.media.cooldownRejections),
        `${stats.media.busyRejections} busy, ${stats.media.cooldownRejections} cooling down; ${recentRejected} in the last 5 min`,
        recentRejected > 0 ? "warn" : "",
      ),
      tile(
        "Circuit breaker",
        circuit.state,
        circuit.state === "closed"
          ? `WAHA answers (${circuit.failures} failures in a row)`
          : `WAHA left alone since ${openedAt === undefined ? "?" : clockTime(openedAt)}; ${circuit.failures} failures`,
        circuit.state === "closed" ? "good" : "bad",
      ),
      tile("WAHA webhooks", webhooks.value, webhooks.note, webhooks.tone),
      tile("Live connections", fmt(stats.realtime.connections), "browsers on the realtime socket"),
      tile(
        "Media downloads",
        `${stats.media.activeDownloads} / ${stats.media.maxConcurrency}`,
        `${stats.media.cachedItems} files cached (${mb(stats.media.cachedBytes)}), ${fmt(stats.media.served)} served; archive: ${fmt(stats.media.archive.hits)} answered, ${fmt(stats.media.archive.writes)} kept (${mb(stats.media.archive.bytesWritten)})`,
      ),
    );
    const span =
      points.length > 1
        ? `last ${formatDuration((points.at(-1)?.at ?? 0) - (points[0]?.at ?? 0))}`
        : "starting";
    replaceChildren(
      this.#traffic,
      lineChart({
        title: "Per minute",
        span,
        format: fmt,
        series: [
          {
            name: "browser requests",
            tone: "series--a",
            values: points.map((p) => p.requestsPerMinute),
          },
          { name: "WAHA calls", tone: "series--b", values: points.map((p) => p.wahaPerMinute) },
        ],
      }),
      legend([
        ["series--a", "browser requests / min"],
        ["series--b", "WAHA calls / min"],
      ]),
    );
    replaceChildren(
      this.#hits,
      lineChart({
        title: "Hit rate",
        span,
        max: 1,
        format: pct,
        series: [{ name: "hit rate", tone: "series--a", values: points.map((p) => p.hitRate) }],
      }),
      h(
        "p",
        { class: "panel__note" },
        `Since ${formatTime(toMillis(stats.since), true)}: ${fmt(stats.cache.hits)} hits, ${fmt(stats.cache.coalesced)} shared loads, ${fmt(stats.cache.misses)} misses, ${fmt(stats.cache.stale)} stale answers.`,
      ),
    );
    replaceChildren(
      this.#rejections,
      lineChart({
        title: "Media requests turned away per stretch",
        span,
        format: fmt,
        series: [
          { name: "turned away", tone: "series--b", values: points.map((p) => p.mediaRejections) },
        ],
      }),
      h(
        "p",
        { class: "panel__note" },
        `Busy answers tell browsers to wait (429 with Retry-After); cooldowns keep a missing file from being asked again and again. ${stats.media.evictions} cache evictions.`,
      ),
    );
    this.#renderAgents();
    this.#renderEndpoints(stats);
    const numbers = this.#load?.numbers;
    renderNumbers(this.#numbers, stats.numbers, numbers);
    if (this.#load && this.#load !== this.#agentNumbersFor) {
      this.#agentNumbersFor = this.#load;
      renderAgentNumbers(this.#agentNumbers, {
        api: this.#api,
        agents: this.#load.agents,
        numbers,
        editable: this.#me.role === "admin",
      });
    }
    for (const body of [this.#numbers, this.#agentNumbers]) {
      if (body.parentElement) body.parentElement.hidden = body.hidden;
    }
  }

  #renderAgents(): void {
    const load = this.#load;
    if (!load) {
      replaceChildren(this.#agents, h("p", { class: "panel__note" }, "Loading…"));
      return;
    }
    const unread = new Map<string, number>();
    for (const chat of load.chats) {
      if (chat.owner && chat.unreadCount > 0)
        unread.set(chat.owner, (unread.get(chat.owner) ?? 0) + 1);
    }
    const unassigned = load.chats.filter((c) => c.owner === null).length;
    const rows = load.agents.map((agent) => {
      const mine = load.assignments.filter((a) => a.assignedTo === agent.id);
      const times = mine
        .map((a) => {
          const first = toMillis(a.firstMessageAt);
          const answer = toMillis(a.firstResponseAt);
          return first !== undefined && answer !== undefined ? answer - first : undefined;
        })
        .filter((t): t is number => t !== undefined)
        .sort((a, b) => a - b);
      const median = times[Math.floor((times.length - 1) / 2)];
      const notes = [
        `${unread.get(agent.id) ?? 0} unread`,
        median === undefined
          ? "no first responses yet"
          : `first response median ${formatDuration(median)}`,
      ];
      if (!agent.active) notes.push("inactive");
      return { label: agent.name, value: mine.length, note: notes.join(", ") };
    });
    replaceChildren(
      this.#agents,
      rows.length === 0
        ? h("p", { class: "panel__note" }, "No agents yet.")
        : barChart({
            title: "Chats assigned per agent",
            rows,
            format: (n) => `${n} ${n === 1 ? "chat" : "chats"}`,
          }),
      h(
        "p",
        { class: "panel__note" },
        `${unassigned} of ${load.chats.length} chats are unassigned.`,
      ),
    );
  }

  #renderEndpoints(stats: MonitoringStats): void {
    const rows = Object.entries(stats.upstream.byEndpoint).sort((a, b) => b[1].calls - a[1].calls);
    replaceChildren(
      this.#endpoints,
      h(
        "table",
        { class: "table" },
        h(
          "caption",
          { class: "visually-hidden" },
          "WAHA calls, errors and timeouts by endpoint since the counters started",
        ),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "endpoint"),
            h("th", { scope: "col" }, "calls"),
            h("th", { scope: "col" }, "errors"),
            h("th", { scope: "col" }, "timeouts"),
          ),
        ),
        h(
          "tbody",
          {},
          ...rows.map(([name, c]) =>
            h(
              "tr",
              {},
              h("th", { scope: "row" }, name),
              h("td", {}, fmt(c.calls)),
              h("td", {}, fmt(c.errors)),
              h("td", {}, fmt(c.timeouts)),
            ),
          ),
        ),
      ),
      h(
        "p",
        { class: "panel__note" },
        `${fmt(stats.upstream.calls)} calls in all, ${pct(stats.upstream.errorRate)} failed.`,
      ),
    );
  }
}
