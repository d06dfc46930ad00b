import { describe, expect, it } from "vitest";
import { matchCanned, slashQuery } from "../../src/client/canned-match.ts";
import { DraftStore } from "../../src/client/drafts.ts";
import { parseMessageText } from "../../src/client/message-text.ts";
import { mediaLabel, previewText } from "../../src/lib/store/preview.ts";

describe("a message's text as parts", () => {
  it("reads WhatsApp's bold, italic, strike and monospace", () => {
    expect(parseMessageText("*Sale* _today_ ~old~ ```a_b*c*```")).toEqual([
      { kind: "style", style: "bold", parts: [{ kind: "text", text: "Sale" }] },
      { kind: "text", text: " " },
      { kind: "style", style: "italic", parts: [{ kind: "text", text: "today" }] },
      { kind: "text", text: " " },
      { kind: "style", style: "strike", parts: [{ kind: "text", text: "old" }] },
      { kind: "text", text: " " },
      { kind: "style", style: "mono", parts: [{ kind: "text", text: "a_b*c*" }] },
    ]);
  });

  it("leaves marks inside words, around spaces and unclosed ones as text", () => {
    for (const text of ["snake_case_name", "2*3*4", "* not bold *", "*open", "a ~ b ~ c"])
      expect(parseMessageText(text)).toEqual([{ kind: "text", text }]);
  });

  it("nests styles", () => {
    expect(parseMessageText("*_both_*")).toEqual([
      {
        kind: "style",
        style: "bold",
        parts: [{ kind: "style", style: "italic", parts: [{ kind: "text", text: "both" }] }],
      },
    ]);
  });

  it("links http and https only, without trailing punctuation, and never formats inside a link", () => {
    expect(parseMessageText("see https://shop.example/a_b_c?x=1. or javascript:alert(1)")).toEqual([
      { kind: "text", text: "see " },
      {
        kind: "link",
        text: "https://shop.example/a_b_c?x=1",
        href: "https://shop.example/a_b_c?x=1",
      },
      { kind: "text", text: ". or javascript:alert(1)" },
    ]);
    expect(parseMessageText("(http://a.example/x)")).toEqual([
      { kind: "text", text: "(" },
      { kind: "link", text: "http://a.example/x", href: "http://a.example/x" },
      { kind: "text", text: ")" },
    ]);
  });

  it("keeps markup as text: nothing is HTML", () => {
    expect(parseMessageText("<b>hi</b> &amp;")).toEqual([
      { kind: "text", text: "<b>hi</b> &amp;" },
    ]);
  });
});

describe("previews of media", () => {
  const media = (mimetype: string | null, filename: string | null = null) => ({
    body: null,
    hasMedia: true,
    mimetype,
    filename,
  });

  it("names each kind instead of [media]", () => {
    expect(previewText(media("image/jpeg"))).toBe("📷 Photo");
    expect(previewText(media("audio/ogg; codecs=opus"))).toBe("🎤 Voice message");
    expect(previewText(media("application/pdf", "invoice.pdf"))).toBe("📄 invoice.pdf");
    expect(previewText(media("video/mp4"))).toBe("🎥 Video");
    expect(previewText(media("image/webp"))).toBe("Sticker");
    expect(previewText(media(null))).toBe("📄 Document");
    expect(previewText({ ...media(null), hasMedia: false, kind: "location" })).toBe("📍 Location");
    expect(previewText({ ...media(null), hasMedia: false, kind: "contact" })).toBe("Contact");
  });

  it("prefers a caption, and has nothing for an empty message", () => {
    expect(previewText({ ...media("image/jpeg"), body: " Our new shelf " })).toBe("Our new shelf");
    expect(previewText({ body: null, hasMedia: false, mimetype: null, filename: null })).toBeNull();
    expect(mediaLabel({ hasMedia: false, mimetype: null, filename: null })).toBeUndefined();
  });
});

describe("canned replies in the composer", () => {
  const replies = [
    { id: "1", shortcut: "address", text: "Main Street 1" },
    { id: "2", shortcut: "hours", text: "Open 9–17" },
    { id: "3", shortcut: "shipping-hours", text: "Parcels leave at noon" },
  ];

  it("asks for one only when the text is `/` and one word, with the caret at its end", () => {
    expect(slashQuery("/", 1)).toBe("");
    expect(slashQuery("/Ho", 3)).toBe("ho");
    expect(slashQuery("/ho", 2)).toBeUndefined();
    expect(slashQuery("/ho there", 9)).toBeUndefined();
    expect(slashQuery("see /ho", 7)).toBeUndefined();
  });

  it("offers shortcuts that start with the query first, then those containing it, then texts", () => {
    expect(matchCanned(replies, "").map((r) => r.id)).toEqual(["1", "2", "3"]);
    expect(matchCanned(replies, "ho").map((r) => r.id)).toEqual(["2", "3"]);
    expect(matchCanned(replies, "noon").map((r) => r.id)).toEqual(["3"]);
    expect(matchCanned(replies, "zzz")).toEqual([]);
  });
});

describe("drafts", () => {
  function memoryStorage() {
    const map = new Map<string, string>();
    return {
      getItem: (k: string) => map.get(k) ?? null,
      setItem: (k: string, v: string) => void map.set(k, v),
      removeItem: (k: string) => void map.delete(k),
      map,
    };
  }

  it("are kept per user and chat, and a blank one is removed", () => {
    const storage = memoryStorage();
    const amira = new DraftStore(storage, "agent-1");
    amira.set("a@c.us", "Half a thought");
    expect(new DraftStore(storage, "agent-1").get("a@c.us")).toBe("Half a thought");
    expect(new DraftStore(storage, "agent-2").get("a@c.us")).toBe("");
    expect(amira.get("b@c.us")).toBe("");
    amira.set("a@c.us", "  ");
    expect(storage.map.size).toBe(0);
  });

  it("survive switching chats in memory when the browser refuses storage", () => {
    const refusing = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("denied");
      },
      removeItem: () => {},
    };
    const drafts = new DraftStore(refusing, "agent-1");
    drafts.set("a@c.us", "Kept");
    expect(drafts.get("a@c.us")).toBe("Kept");
  });
});
