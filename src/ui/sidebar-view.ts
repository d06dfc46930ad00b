/**
 * The left side: search over every stored message, the number switcher (where there are
 * several WhatsApp numbers, with each one's unread chats), the list's filters (Mine,
 * Unassigned, All, Unread; a status and a label), a note while the list loads or waits to
 * try again, and the chat list or the search hits.
 */
import {
  type ChatFilter,
  chatsOfNumber,
  FILTER_LABELS,
  filterChats,
} from "../client/chat-filter.ts";
import { chatRef, findChat } from "../client/inbox-frames.ts";
import type { InboxState } from "../client/inbox-state.ts";
import {
  filterByTeam,
  labelsIn,
  STATUS_NAMES,
  STATUS_ORDER,
  type TeamFilter,
} from "../client/team-filter.ts";
import type { Chat, SearchHit } from "../client/types.ts";
import { renderChatList } from "./chat-list.ts";
import { type Countdown, countdown } from "./countdown.ts";
import { h, replaceChildren } from "./dom.ts";
import { formatTime, snippetParts } from "./format.ts";
import { renderNumberSwitch } from "./number-switch.ts";

export interface SidebarDeps {
  onFilter: (filter: ChatFilter) => void;
  /** The reader chose the number the list shows (undefined: every number). */
  onNumber: (number: string | undefined) => void;
  /** "" clears the search. */
  onSearch: (query: string) => void;
  onSelect: (number: string, jid: string) => void;
  onHit: (hit: SearchHit) => void;
  /** An agent takes a chat from the Unassigned queue. */
  onTake: (jid: string) => void;
}

/** Typing pauses this long before the search is asked. */
const SEARCH_DELAY_MS = 300;

export class SidebarView {
  readonly element: HTMLElement;
  readonly #deps: SidebarDeps;
  readonly #search = h("input", {
    type: "search",
    id: "search-input",
    name: "q",
    placeholder: "Search messages",
    autocomplete: "off",
  });
  readonly #filters = h("div", { class: "filters", role: "tablist", "aria-label": "Show chats" });
  readonly #statusSelect = h(
    "select",
    { id: "status-filter", name: "status" },
    h("option", { value: "any" }, "All statuses"),
    ...STATUS_ORDER.map((s) => h("option", { value: s }, STATUS_NAMES[s])),
  );
  readonly #labelSelect = h("select", { id: "label-filter", name: "label" });
  /** The status and label the list is narrowed to (the page's own choice, kept here). */
  #team: TeamFilter = { status: "any", label: "" };
  #labelsShown = "";
  #state: InboxState | undefined;
  readonly #switch = h("div", {
    class: "numbers-switch",
    role: "group",
    "aria-label": "WhatsApp numbers",
    hidden: true,
  });
  readonly #note = h("p", { class: "sidebar__note", role: "status" });
  readonly #list = h("ul", {
    id: "chat-list",
    class: "chat-list",
    "aria-labelledby": "chats-title",
  });
  readonly #hits = h("ul", { class: "search-hits", "aria-label": "Search results", hidden: true });
  #countdown: Countdown | undefined;
  /** An agent's Unassigned queue, as last loaded (its own chats are the state's). */
  #queue: Chat[] = [];
  #searchTimer: ReturnType<typeof setTimeout> | undefined;
  /** What is on screen, so a render redraws only what changed. */
  #shown: Partial<
    Pick<
      InboxState,
      "filters" | "filter" | "chats" | "chatsKnown" | "agents" | "search" | "numbers" | "number"
    >
  > & { selected?: string | undefined } = {};

  constructor(deps: SidebarDeps) {
    this.#deps = deps;
    this.#statusSelect.addEventListener("change", () =>
      this.#setTeamFilter({ status: this.#statusSelect.value as TeamFilter["status"] }),
    );
    this.#labelSelect.addEventListener("change", () =>
      this.#setTeamFilter({ label: this.#labelSelect.value }),
    );
    this.#search.addEventListener("input", () => {
      clearTimeout(this.#searchTimer);
      this.#searchTimer = setTimeout(
        () => deps.onSearch(this.#search.value.trim()),
        SEARCH_DELAY_MS,
      );
    });
    this.#filters.addEventListener("keydown", (event) => this.#filterKey(event));
    this.#search.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.#search.value) {
        this.#search.value = "";
        deps.onSearch("");
      }
      if (event.key === "Enter") {
        clearTimeout(this.#searchTimer);
        deps.onSearch(this.#search.value.trim());
      }
    });
    this.element = h(
      "nav",
      { class: "sidebar", "aria-labelledby": "chats-title" },
      h("h2", { id: "chats-title", class: "sidebar__title" }, "Chats"),
      h(
        "form",
        { class: "search", role: "search", onsubmit: (e) => e.preventDefault() },
        h("label", { for: "search-input", class: "visually-hidden" }, "Search messages"),
        this.#search,
      ),
      this.#switch,
      this.#filters,
      h(
        "div",
        { class: "team-filters" },
        h("label", { for: "status-filter" }, "Status"),
        this.#statusSelect,
        h("label", { for: "label-filter" }, "Label"),
        this.#labelSelect,
      ),
      this.#note,
      this.#list,
      this.#hits,
    );
  }

  /** The Unassigned queue an agent takes from, loaded anew. */
  setQueue(chats: Chat[]): void {
    this.#queue = chats;
    if (this.#state) {
      this.#shown = { ...this.#shown, chats: [] };
      this.render(this.#state);
    }
  }

  /** Narrows the list to a status and a label. */
  #setTeamFilter(change: Partial<TeamFilter>): void {
    this.#team = { ...this.#team, ...change };
    const state = this.#state;
    if (!state) return;
    this.#shown = { ...this.#shown, chats: [] };
    this.render(state);
  }

  #renderLabelOptions(labels: string[]): void {
    const key = labels.join("\n");
    if (key === this.#labelsShown) return;
    this.#labelsShown = key;
    // A label no chat has any more stays chosen, so the list does not jump under the reader.
    const chosen = this.#team.label;
    const all = chosen && !labels.includes(chosen) ? [...labels, chosen] : labels;
    replaceChildren(
      this.#labelSelect,
      h("option", { value: "" }, "All labels"),
      ...all.map((l) => h("option", { value: l }, l)),
    );
    this.#labelSelect.value = chosen;
  }

  render(state: InboxState): void {
    this.#state = state;
    const shown = this.#shown;
    if (
      state.filters !== shown.filters ||
      state.filter !== shown.filter ||
      state.chats !== shown.chats ||
      state.number !== shown.number
    )
      this.#renderFilters(state);
    const open = state.open;
    const selected = open ? chatRef(open.number, open.jid) : undefined;
    const numbersChanged = state.numbers !== shown.numbers || state.number !== shown.number;
    if (numbersChanged || state.chats !== shown.chats) {
      this.#switch.hidden = state.numbers.length < 2;
      if (!this.#switch.hidden) renderNumberSwitch(this.#switch, state, this.#deps.onNumber);
    }
    if (
      numbersChanged ||
      state.chats !== shown.chats ||
      state.filter !== shown.filter ||
      state.agents !== shown.agents ||
      state.chatsKnown !== shown.chatsKnown ||
      selected !== shown.selected
    ) {
      const agentNames = state.agents
        ? new Map(state.agents.map((a) => [a.id, a.name]))
        : undefined;
      // Each row names its number while the list shows several.
      const numberNames =
        state.number === undefined && state.numbers.length > 1
          ? new Map(state.numbers.map((n) => [n.id, n.name]))
          : undefined;
      this.#renderLabelOptions(labelsIn(state.chats));
      const narrowed = this.#team.status !== "any" || this.#team.label !== "";
      const queue = state.me.role === "agent" && state.filter === "unassigned";
      const listed = queue
        ? this.#queue
        : filterChats(chatsOfNumber(state.chats, state.number), state.filter, state.me);
      renderChatList(this.#list, {
        chats: filterByTeam(listed, this.#team),
        selected,
        agentNames,
        numberNames,
        empty: !state.chatsKnown
          ? ""
          : narrowed
            ? "No chats match the status and label chosen."
            : emptyText(state.filter, agentNames !== undefined, state),
        onSelect: queue ? () => this.setNote("Take a chat to open it.") : this.#deps.onSelect,
        ...(queue ? { onTake: this.#deps.onTake } : {}),
      });
    }
    if (state.search.results !== shown.search?.results) {
      const names = (hit: SearchHit) => findChat(state, hit.number ?? "", hit.jid)?.name ?? hit.jid;
      const results = state.search.results;
      this.#renderHits(results?.query ?? "", results?.hits, names);
    }
    this.#shown = { ...state, selected };
  }

  /** Tabs over the list, each with how many chats it shows; the chosen one is selected. */
  #renderFilters(state: InboxState): void {
    const hadFocus = this.#filters.contains(document.activeElement);
    replaceChildren(
      this.#filters,
      ...state.filters.map((filter) => {
        const chosen = filter === state.filter;
        return h(
          "button",
          {
            type: "button",
            role: "tab",
            class: "filter",
            "data-filter": filter,
            "aria-selected": String(chosen),
            "aria-controls": "chat-list",
            tabindex: chosen ? "0" : "-1",
            onclick: () => this.#deps.onFilter(filter),
          },
          FILTER_LABELS[filter],
          state.chatsKnown
            ? h(
                "span",
                { class: "filter__count" },
                // The number shown's chats (every number's when all are shown).
                ` ${filterChats(chatsOfNumber(state.chats, state.number), filter, state.me).length}`,
              )
            : null,
        );
      }),
    );
    if (hadFocus) this.#filters.querySelector<HTMLElement>("[aria-selected='true']")?.focus();
  }

  /** Arrow keys move between the tabs, as in any tab list. */
  #filterKey(event: KeyboardEvent): void {
    const tabs = [...this.#filters.querySelectorAll<HTMLButtonElement>("[role='tab']")];
    const at = tabs.indexOf(event.target as HTMLButtonElement);
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    const next = tabs[(at + step + tabs.length) % tabs.length];
    if (at < 0 || step === 0 || !next?.dataset.filter) return;
    event.preventDefault();
    this.#deps.onFilter(next.dataset.filter as ChatFilter);
  }

  /** Search hits (or undefined to go back to the chat list). */
  #renderHits(
    query: string,
    hits: readonly SearchHit[] | undefined,
    names: (hit: SearchHit) => string,
  ): void {
    const searching = hits !== undefined;
    this.#hits.hidden = !searching;
    this.#list.hidden = searching;
    this.#filters.hidden = searching;
    if (!hits) {
      replaceChildren(this.#hits);
      return;
    }
    if (hits.length === 0) {
      replaceChildren(
        this.#hits,
        h("li", { class: "chat-list__empty" }, `No messages match “${query}”.`),
      );
      return;
    }
    replaceChildren(
      this.#hits,
      ...hits.map((hit) =>
        h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              class: "hit",
              "data-jid": hit.jid,
              onclick: () => this.#deps.onHit(hit),
            },
            h("span", { class: "hit__name" }, names(hit)),
            h("time", { class: "hit__time" }, formatTime(hit.timestamp * 1000)),
            h(
              "span",
              { class: "hit__snippet" },
              ...snippetParts(hit.snippet).map((p) => (p.hit ? h("mark", {}, p.text) : p.text)),
            ),
          ),
        ),
      ),
    );
  }

  /** A note above the list; with `retryAt`, counts down to the next attempt and offers one now. */
  setNote(text: string, retry?: { at: number; now: () => void }): void {
    this.#countdown?.cancel();
    this.#countdown = undefined;
    if (!retry) {
      this.#note.textContent = text;
      return;
    }
    const when = h("span", {});
    replaceChildren(
      this.#note,
      text,
      " ",
      when,
      " ",
      h("button", { type: "button", class: "link-button", onclick: retry.now }, "Try now"),
    );
    this.#countdown = countdown(
      retry.at,
      (s) => {
        when.textContent = `Trying again in ${s} s.`;
      },
      () => {
        when.textContent = "Trying again…";
      },
    );
  }
}

function emptyText(filter: ChatFilter, staff: boolean, state: InboxState): string {
  // An agent without a single chat is told what to do about it.
  if (state.me.role === "agent" && state.chats.length === 0)
    return "No chats are assigned to you yet. Ask an admin to assign you some: they show up here as soon as they are.";
  switch (filter) {
    case "unread":
      return "No unread chats.";
    case "unassigned":
      return "Every chat has someone.";
    case "mine":
      return staff ? "No chats are assigned to you." : "No chats are assigned to you yet.";
    case "all":
      return "No chats yet.";
  }
}
