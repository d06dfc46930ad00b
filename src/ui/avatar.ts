/**
 * A contact's face in the lists: their profile picture through the gateway, or their
 * initials while it loads and when WhatsApp has none. Each picture is fetched once per page
 * (the gateway asks WAHA at most once a day for everyone).
 */
import type { Chat } from "../client/types.ts";
import { h } from "./dom.ts";
import { formatPhone, initialsOf } from "./format.ts";

type Loader = (avatarUrl: string) => Promise<Blob>;

let load: Loader | undefined;
/** avatarUrl → an object URL, or null when there is none. */
const pictures = new Map<string, Promise<string | null>>();

/**
 * Pictures are a nicety: one at a time, so a list of chats never stands in the way of the
 * messages and photos the reader opened (WAHA's API calls are few at once).
 */
const AT_ONCE = 1;
let active = 0;
const waiting: Array<() => void> = [];

async function inTurn<T>(work: () => Promise<T>): Promise<T> {
  if (active >= AT_ONCE) await new Promise<void>((resolve) => waiting.push(resolve));
  active++;
  try {
    return await work();
  } finally {
    active--;
    waiting.shift()?.();
  }
}

/** How pictures are fetched (with the page's token): set once by the inbox. */
export function setAvatarLoader(loader: Loader): void {
  load = loader;
}

function picture(url: string): Promise<string | null> {
  let known = pictures.get(url);
  if (!known) {
    const fetchOne = load;
    known = fetchOne
      ? inTurn(() => fetchOne(url)).then(
          (blob) => URL.createObjectURL(blob),
          () => null,
        )
      : Promise.resolve(null);
    pictures.set(url, known);
  }
  return known;
}

/** What a chat is called: its name, else its number as people read it. */
export function chatTitle(chat: Pick<Chat, "id" | "name">): string {
  const bare = chat.id.split("@")[0] ?? chat.id;
  return chat.name && chat.name !== bare ? chat.name : formatPhone(chat.id);
}

export function avatarFor(chat: Pick<Chat, "id" | "name" | "avatarUrl">): HTMLElement {
  const face = h(
    "span",
    { class: "avatar", "aria-hidden": "true" },
    h("span", { class: "avatar__initials" }, initialsOf(chatTitle(chat))),
  );
  const url = chat.avatarUrl;
  if (url) {
    void picture(url).then((src) => {
      if (src) face.replaceChildren(h("img", { class: "avatar__img", src, alt: "" }));
    });
  }
  return face;
}
