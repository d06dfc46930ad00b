/**
 * A small grid of common emoji for the composer: a labelled button opens it, arrow keys
 * move in it, Enter picks, Escape closes; the emoji goes in where the caret is.
 */
import { h } from "./dom.ts";

/** Emoji and the names a screen reader says. */
const EMOJI: ReadonlyArray<readonly [string, string]> = [
  ["😀", "grinning face"],
  ["😂", "tears of joy"],
  ["😊", "smiling face"],
  ["😍", "heart eyes"],
  ["😉", "winking face"],
  ["🤔", "thinking face"],
  ["😢", "crying face"],
  ["😮", "surprised face"],
  ["🙏", "folded hands"],
  ["👍", "thumbs up"],
  ["👎", "thumbs down"],
  ["👏", "clapping hands"],
  ["👋", "waving hand"],
  ["🙌", "raised hands"],
  ["💪", "flexed biceps"],
  ["❤️", "red heart"],
  ["🎉", "party popper"],
  ["✅", "check mark"],
  ["❌", "cross mark"],
  ["⭐", "star"],
  ["🔥", "fire"],
  ["📦", "package"],
  ["🚚", "delivery truck"],
  ["⏰", "alarm clock"],
];

/** Buttons per row: what the arrow keys move by. */
const COLUMNS = 6;

export class EmojiPicker {
  readonly toggle: HTMLButtonElement;
  readonly panel: HTMLElement;
  readonly #choices: HTMLButtonElement[];

  constructor(onPick: (emoji: string) => void) {
    this.panel = h("div", {
      id: "emoji-panel",
      class: "emoji-panel",
      role: "group",
      "aria-label": "Emoji",
      hidden: true,
    });
    this.toggle = h(
      "button",
      {
        type: "button",
        class: "composer__emoji",
        "aria-label": "Insert an emoji",
        "aria-expanded": "false",
        "aria-controls": "emoji-panel",
        disabled: true,
        onclick: () => (this.panel.hidden ? this.open() : this.close(true)),
      },
      "😊",
    );
    this.#choices = EMOJI.map(([emoji, name]) =>
      h(
        "button",
        {
          type: "button",
          class: "emoji-panel__choice",
          "aria-label": name,
          title: name,
          onclick: () => {
            this.close(false);
            onPick(emoji);
          },
        },
        emoji,
      ),
    );
    this.panel.append(...this.#choices);
    this.panel.addEventListener("keydown", (event) => this.#key(event));
  }

  open(): void {
    this.panel.hidden = false;
    this.toggle.setAttribute("aria-expanded", "true");
    this.#choices[0]?.focus();
  }

  /** `refocus`: back to the button (Escape); a pick hands focus to the text instead. */
  close(refocus: boolean): void {
    if (this.panel.hidden) return;
    this.panel.hidden = true;
    this.toggle.setAttribute("aria-expanded", "false");
    if (refocus) this.toggle.focus();
  }

  #key(event: KeyboardEvent): void {
    const at = this.#choices.indexOf(event.target as HTMLButtonElement);
    const moves: Record<string, number> = {
      ArrowRight: 1,
      ArrowLeft: -1,
      ArrowDown: COLUMNS,
      ArrowUp: -COLUMNS,
    };
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      this.close(true);
      return;
    }
    const move = moves[event.key];
    if (move === undefined || at < 0) return;
    event.preventDefault();
    const next = Math.min(this.#choices.length - 1, Math.max(0, at + move));
    this.#choices[next]?.focus();
  }
}
