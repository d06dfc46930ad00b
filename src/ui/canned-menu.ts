/**
 * The composer's `/shortcut` menu: typing `/` at the start of the text lists the canned
 * replies that match (client/canned-match.ts); arrows choose, Enter or Tab puts the reply
 * in, Escape closes. The text box keeps the focus, the list follows with
 * aria-activedescendant.
 */
import { matchCanned, slashQuery } from "../client/canned-match.ts";
import type { CannedReply } from "../client/types.ts";
import { h, replaceChildren } from "./dom.ts";

/** The replies are read again when the menu opens this long after the last read. */
const FRESH_MS = 30_000;

export class CannedMenu {
  readonly element: HTMLUListElement;
  readonly #status = h("span", { class: "visually-hidden", role: "status" });
  readonly #input: HTMLTextAreaElement;
  readonly #load: () => Promise<CannedReply[]>;
  readonly #onInsert: () => void;
  #replies: CannedReply[] = [];
  #loadedAt = Number.NEGATIVE_INFINITY;
  #loading = false;
  #offered: CannedReply[] = [];
  #active = 0;
  #closedFor: string | undefined;

  constructor(
    input: HTMLTextAreaElement,
    load: () => Promise<CannedReply[]>,
    onInsert: () => void,
  ) {
    this.#input = input;
    this.#load = load;
    this.#onInsert = onInsert;
    this.element = h("ul", {
      id: "canned-menu",
      class: "canned-menu",
      role: "listbox",
      "aria-label": "Canned replies",
      hidden: true,
    });
    input.setAttribute("aria-controls", "canned-menu");
    input.addEventListener("input", () => this.update());
    input.addEventListener("blur", () => this.close());
  }

  get status(): HTMLElement {
    return this.#status;
  }

  /** Shows what matches the text typed so far, or closes. */
  update(): void {
    const text = this.#input.value;
    const query = slashQuery(text, this.#input.selectionStart);
    if (query === undefined || this.#closedFor === text) {
      if (query === undefined) this.#closedFor = undefined;
      this.close();
      return;
    }
    if (Date.now() - this.#loadedAt > FRESH_MS) this.#refresh();
    this.#offered = matchCanned(this.#replies, query);
    this.#active = 0;
    this.#render(query);
  }

  /** Keys the menu takes while open; answers whether it took this one. */
  handleKey(event: KeyboardEvent): boolean {
    if (this.element.hidden) return false;
    const count = this.#offered.length;
    switch (event.key) {
      case "ArrowDown":
      case "ArrowUp":
        if (count === 0) return false;
        this.#active = (this.#active + (event.key === "ArrowDown" ? 1 : count - 1)) % count;
        this.#renderActive();
        break;
      case "Enter":
      case "Tab": {
        const chosen = this.#offered[this.#active];
        if (!chosen || event.shiftKey) return false;
        this.#insert(chosen);
        break;
      }
      case "Escape":
        this.#closedFor = this.#input.value;
        this.close();
        break;
      default:
        return false;
    }
    event.preventDefault();
    event.stopPropagation();
    return true;
  }

  close(): void {
    if (this.element.hidden) return;
    this.element.hidden = true;
    this.#input.removeAttribute("aria-activedescendant");
    this.#status.textContent = "";
  }

  #refresh(): void {
    if (this.#loading) return;
    this.#loading = true;
    this.#load().then(
      (replies) => {
        this.#loading = false;
        this.#replies = replies;
        this.#loadedAt = Date.now();
        if (
          !this.element.hidden ||
          slashQuery(this.#input.value, this.#input.selectionStart) !== undefined
        )
          this.update();
      },
      () => {
        this.#loading = false;
        // Tried again the next time the menu opens; the menu says nothing is there.
        this.#loadedAt = Date.now() - FRESH_MS + 5_000;
      },
    );
  }

  #render(query: string): void {
    if (this.#offered.length === 0) {
      const loaded = this.#loadedAt > Number.NEGATIVE_INFINITY;
      replaceChildren(
        this.element,
        h(
          "li",
          { class: "canned-menu__empty", role: "option", "aria-disabled": "true" },
          loaded ? `No canned reply starts with /${query}` : "Loading canned replies…",
        ),
      );
      this.element.hidden = false;
      this.#input.removeAttribute("aria-activedescendant");
      return;
    }
    replaceChildren(
      this.element,
      ...this.#offered.map((reply, i) =>
        h(
          "li",
          {
            id: `canned-${i}`,
            class: "canned-menu__item",
            role: "option",
            "aria-selected": "false",
            // Pressed before the text box loses focus, so the click is not lost to blur.
            onmousedown: (event) => {
              event.preventDefault();
              this.#insert(reply);
            },
          },
          h("span", { class: "canned-menu__shortcut" }, `/${reply.shortcut}`),
          h("span", { class: "canned-menu__text" }, reply.text),
        ),
      ),
    );
    this.element.hidden = false;
    this.#status.textContent = `${this.#offered.length} canned ${this.#offered.length === 1 ? "reply" : "replies"}; arrows choose, Enter puts it in.`;
    this.#renderActive();
  }

  #renderActive(): void {
    this.element.querySelectorAll("[role='option']").forEach((option, i) => {
      option.setAttribute("aria-selected", String(i === this.#active));
    });
    this.#input.setAttribute("aria-activedescendant", `canned-${this.#active}`);
    this.element.querySelector(`#canned-${this.#active}`)?.scrollIntoView({ block: "nearest" });
  }

  #insert(reply: CannedReply): void {
    this.#input.value = reply.text;
    this.#input.setSelectionRange(reply.text.length, reply.text.length);
    this.close();
    this.#onInsert();
  }
}
