/**
 * /admin's canned replies panel: the list, and a form that adds one or changes the one
 * being edited; a taken shortcut or a bad field is said next to the form.
 */
import type { ApiClient } from "../client/api-client.ts";
import type { CannedReply } from "../client/types.ts";
import { h, replaceChildren } from "./dom.ts";
import { describeError } from "./format.ts";

const PATH = "/api/canned-replies";

export class CannedAdmin {
  readonly element: HTMLElement;
  readonly #api: ApiClient;
  readonly #list = h("ul", { class: "canned-list" });
  readonly #shortcut = h("input", {
    id: "canned-shortcut",
    name: "shortcut",
    required: true,
    maxlength: 32,
    autocomplete: "off",
    pattern: "[A-Za-z0-9_\\-]+",
  });
  readonly #text = h("textarea", { id: "canned-text", name: "text", rows: 3, required: true });
  readonly #save = h("button", { type: "submit" }, "Add");
  readonly #cancel = h("button", { type: "button", hidden: true }, "Cancel");
  readonly #note = h("p", { class: "panel__note", role: "status" });
  #editing: CannedReply | undefined;

  constructor(api: ApiClient) {
    this.#api = api;
    this.#cancel.addEventListener("click", () => this.#edit(undefined));
    const form = h(
      "form",
      { class: "canned-form", onsubmit: (event) => void this.#submit(event) },
      h("label", { for: "canned-shortcut" }, "Shortcut (typed after /)"),
      this.#shortcut,
      h("label", { for: "canned-text" }, "Text"),
      this.#text,
      h("p", { class: "canned-form__actions" }, this.#save, this.#cancel),
    );
    this.element = h(
      "section",
      { class: "panel panel--canned", "aria-labelledby": "canned-title" },
      h("h2", { id: "canned-title", class: "panel__title" }, "Canned replies"),
      this.#list,
      form,
      this.#note,
    );
  }

  async load(): Promise<void> {
    try {
      this.#render(await this.#api.json<CannedReply[]>(PATH));
    } catch (error) {
      this.#note.textContent = `Could not load the canned replies: ${describeError(error)}.`;
    }
  }

  #render(replies: CannedReply[]): void {
    if (replies.length === 0) {
      replaceChildren(this.#list, h("li", { class: "panel__note" }, "No canned replies yet."));
      return;
    }
    replaceChildren(
      this.#list,
      ...replies.map((reply) =>
        h(
          "li",
          { class: "canned-list__item" },
          h("span", { class: "canned-list__shortcut" }, `/${reply.shortcut}`),
          h("span", { class: "canned-list__text" }, reply.text),
          h(
            "button",
            {
              type: "button",
              "aria-label": `Edit /${reply.shortcut}`,
              onclick: () => this.#edit(reply),
            },
            "Edit",
          ),
          h(
            "button",
            {
              type: "button",
              "aria-label": `Delete /${reply.shortcut}`,
              onclick: () => void this.#delete(reply),
            },
            "Delete",
          ),
        ),
      ),
    );
  }

  #edit(reply: CannedReply | undefined): void {
    this.#editing = reply;
    this.#shortcut.value = reply?.shortcut ?? "";
    this.#text.value = reply?.text ?? "";
    this.#save.textContent = reply ? "Save" : "Add";
    this.#cancel.hidden = !reply;
    if (reply) this.#text.focus();
  }

  async #submit(event: Event): Promise<void> {
    event.preventDefault();
    const body = { shortcut: this.#shortcut.value, text: this.#text.value };
    const editing = this.#editing;
    try {
      const saved = editing
        ? await this.#api.send<CannedReply>("PATCH", `${PATH}/${editing.id}`, body)
        : await this.#api.send<CannedReply>("POST", PATH, body);
      this.#note.textContent = `Saved /${saved.shortcut}.`;
      this.#edit(undefined);
      await this.load();
    } catch (error) {
      this.#note.textContent = `Not saved: ${describeError(error)}.`;
    }
  }

  async #delete(reply: CannedReply): Promise<void> {
    try {
      await this.#api.send("DELETE", `${PATH}/${reply.id}`);
      this.#note.textContent = `Deleted /${reply.shortcut}.`;
      if (this.#editing?.id === reply.id) this.#edit(undefined);
      await this.load();
    } catch (error) {
      this.#note.textContent = `Not deleted: ${describeError(error)}.`;
    }
  }
}
