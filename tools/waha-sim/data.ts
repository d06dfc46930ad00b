// The demo data set: 22 chats (one group) with text, pictures, documents, voice notes, one video
// and two media WAHA can never download; the "full" set adds people known only by an @lid id, a
// channel's posts and status updates. Built identically on every start.
import type { DemoSet } from "./config.ts";
import { SUPPORT_SCRIPTS } from "./data-support.ts";
import type { Engine, MediaKind, MediaLook, SimChat, SimMessage } from "./model.ts";
import { ME_ID, ME_LID, messageIdOf, messageKey, messageTypeOf } from "./model.ts";

/** Time of the newest demo message (seconds), fixed so every run lists the same data. */
export const DEMO_ANCHOR = 1_790_000_000;

export interface Attach {
  kind: MediaKind;
  look: MediaLook;
  mimetype?: string;
  filename?: string;
  missing?: boolean;
  caption?: string;
}

export interface Line {
  me?: boolean;
  /** Index into the group's participants. */
  by?: number;
  text: string;
  media?: Attach;
}

export interface Script {
  id: string;
  name: string;
  shape: "string" | "object";
  pinned?: boolean;
  participants?: string[];
  unread: number;
  lines: Line[];
}

const photo: Attach = { kind: "image/jpeg", look: "mosaic" };
const screenshot: Attach = { kind: "image/png", look: "noise" };
const swatch: Attach = { kind: "image/png", look: "swatch" };
const voice: Attach = { kind: "audio/ogg", look: "voice", mimetype: "audio/ogg; codecs=opus" };
const clip: Attach = { kind: "video/mp4", look: "clip" };
/** A video/mp4 file without a decodable track: the inbox's "cannot play" case. */
const brokenClip: Attach = { kind: "video/mp4", look: "broken", filename: "VID-20260301.mp4" };
const pdf = (filename: string, caption: string): Attach => ({
  kind: "application/pdf",
  look: "document",
  filename,
  caption,
});

const me = (text: string, media?: Attach): Line =>
  media ? { me: true, text, media } : { me: true, text };
const them = (text: string, media?: Attach): Line => (media ? { text, media } : { text });

const GROUP_MEMBERS = ["15550100101@c.us", "15550100102@c.us", "15550100103@c.us"];

function marketLines(): Line[] {
  const lines: Line[] = [];
  for (let i = 1; i <= 140; i++) {
    lines.push(
      i % 3 === 0
        ? me(`Order ${1000 + i}: confirmed, ships tomorrow.`)
        : them(
            `Order ${1000 + i}: ${i % 2 ? "2x olive oil, 1x coffee beans" : "5kg rice, 3x tomato paste"}`,
          ),
    );
  }
  return lines;
}

const SCRIPTS: Script[] = [
  {
    id: "15550100001@c.us",
    name: "Ana Souza",
    shape: "string",
    pinned: true,
    unread: 2,
    lines: [
      them("Hi! My blender arrived with a cracked jar."),
      me("Sorry to hear that, Ana. Could you send a photo of the jar?"),
      them("Here it is", photo),
      them("And the order page", screenshot),
    ],
  },
  {
    id: "15550100002@c.us",
    name: "Brian O'Connor",
    shape: "object",
    unread: 1,
    lines: [
      me("Hello Brian, your invoice is ready."),
      them(
        "Thanks. Attaching the corrected one from our accounts team.",
        pdf("invoice-1042.pdf", "Invoice 1042 - Brian O'Connor - 129.90"),
      ),
    ],
  },
  {
    id: "15550100003@c.us",
    name: "Chen Wei",
    shape: "string",
    unread: 0,
    lines: [
      them("", voice),
      me("Got your voice note, Chen. We will call you at 3 pm."),
      them("Perfect, thank you"),
    ],
  },
  {
    id: "15550100004@c.us",
    name: "Dalia Haddad",
    shape: "object",
    unread: 1,
    lines: [them("The washing machine makes this noise:"), them("", clip)],
  },
  {
    id: "15550100005@c.us",
    name: "Emeka Obi",
    shape: "string",
    unread: 1,
    lines: [
      me("Hi Emeka, did the replacement part fit?"),
      them("No, see the photo", { ...photo, missing: true }),
    ],
  },
  {
    id: "15550100006@c.us",
    name: "Fatima Zahra",
    shape: "object",
    unread: 0,
    lines: [them("Is this the right charger?", screenshot), me("Yes, that is the 65 W model.")],
  },
  {
    id: "15550100007@c.us",
    name: "Gustavo Lima",
    shape: "string",
    unread: 2,
    lines: [
      them("Sending the warranty card"),
      them("", { ...pdf("warranty.pdf", "Warranty card - Gustavo Lima"), missing: true }),
    ],
  },
  {
    id: "120363025246125486@g.us",
    name: "Store Ops",
    shape: "object",
    participants: GROUP_MEMBERS,
    unread: 3,
    lines: [
      { by: 0, text: "Morning all, shelf 4 is empty again" },
      { by: 1, text: "Restocking now", media: photo },
      me("Thanks team."),
      { by: 2, text: "", media: voice },
      { by: 0, text: "Delivery van is 20 minutes late" },
    ],
  },
  {
    id: "15550100008@c.us",
    name: "Hannah Müller",
    shape: "object",
    unread: 0,
    lines: [
      them("Könnten Sie mir die Preisliste schicken?"),
      me("Here is our price list.", pdf("price-list-2026.pdf", "Price list 2026 - all stores")),
      me("", voice),
      them("Danke!"),
    ],
  },
  {
    id: "15550100009@c.us",
    name: "Mercado Central",
    shape: "string",
    unread: 1,
    lines: marketLines(),
  },
  {
    id: "15550100010@c.us",
    name: "Isabel Ferreira",
    shape: "object",
    unread: 0,
    lines: [
      them("The colour I ordered", swatch),
      them("And what arrived", screenshot),
      me("We will exchange it free of charge."),
    ],
  },
  {
    id: "15550100011@c.us",
    name: "Jamal Carter",
    shape: "string",
    unread: 1,
    lines: [me("Your parcel is out for delivery."), them("Left at the door?", photo)],
  },
  {
    id: "15550100012@c.us",
    name: "Kenji Watanabe",
    shape: "object",
    unread: 0,
    lines: [them("Do you open on Sundays?"), me("Yes, 10:00 to 16:00."), them("Great")],
  },
  {
    id: "15550100013@c.us",
    name: "Laila Ahmadi",
    shape: "string",
    unread: 1,
    lines: [them("Receipt from the store", screenshot)],
  },
  {
    id: "15550100014@c.us",
    name: "Mateo Rossi",
    shape: "object",
    unread: 0,
    lines: [
      them("Can I get a quote for 40 chairs?"),
      me("Quote attached.", pdf("quote-5531.pdf", "Quote 5531 - 40 chairs - Mateo Rossi")),
    ],
  },
  {
    id: "15550100015@c.us",
    name: "Nadia Petrova",
    shape: "string",
    unread: 1,
    lines: [me("Hi Nadia, how can we help?"), them("", voice)],
  },
  {
    id: "15550100016@c.us",
    name: "+1 555-010-0016",
    shape: "object",
    unread: 1,
    lines: [them("hello? is anyone there")],
  },
  {
    id: "15550100017@c.us",
    name: "Olu Adeyemi",
    shape: "string",
    unread: 0,
    lines: [them("Paint sample", swatch), me("That is 'Harbour Blue'.")],
  },
  {
    id: "15550100018@c.us",
    name: "Priya Nair",
    shape: "object",
    unread: 0,
    lines: [them("Box was damaged", photo), me("Refund issued, sorry about that.")],
  },
  {
    id: "15550100019@c.us",
    name: "Quentin Dubois",
    shape: "string",
    unread: 0,
    lines: [them("Merci pour la livraison rapide !"), me("Avec plaisir !")],
  },
  {
    id: "15550100020@c.us",
    name: "Rosa Martínez",
    shape: "object",
    unread: 1,
    lines: [
      me("Your return label:", pdf("return-label.pdf", "Return label RMA-2231 - Rosa Martinez")),
      them("¡Gracias! Lo envío mañana."),
    ],
  },
  {
    id: "15550100021@c.us",
    name: "+1 555-010-0021",
    shape: "string",
    unread: 0,
    lines: [them("Wrong number, sorry"), me("No problem!")],
  },
];

/** A person WAHA knows by @lid only; their phone number is known for the first, not the second. */
export const LID_KNOWN = "246810121416182@lid";
export const LID_KNOWN_PN = "15550100022@c.us";
export const LID_UNKNOWN = "135791113151719@lid";
export const NEWSLETTER = "120363400000000001@newsletter";

const EXTRA_SCRIPTS: Script[] = [
  {
    id: LID_KNOWN,
    name: "Sofia Lima",
    shape: "object",
    unread: 1,
    lines: [
      them("Olá! Do you ship to Lisbon?"),
      me("Yes, 3 to 5 working days."),
      them("Great, this one please", photo),
      them("My video of the box, it does not play for me", brokenClip),
    ],
  },
  {
    id: LID_UNKNOWN,
    name: "135791113151719",
    shape: "string",
    unread: 1,
    lines: [them("Hello, I got this number from your website")],
  },
  {
    id: NEWSLETTER,
    name: "Store News",
    shape: "object",
    unread: 2,
    lines: [them("Spring sale starts on Monday!"), them("New opening hours", swatch)],
  },
  {
    id: "status@broadcast",
    name: "Status",
    shape: "object",
    participants: ["15550100001@c.us", "15550100003@c.us"],
    unread: 2,
    lines: [
      { by: 0, text: "", media: photo },
      { by: 1, text: "Back in stock!" },
    ],
  },
];

/** lid ↔ phone number pairs WAHA has learnt (ours first), as its lids routes list them. */
export function demoLids(demo: DemoSet): Array<{ lid: string; pn: string }> {
  const lids = [
    { lid: ME_LID, pn: ME_ID },
    { lid: "100000000000001@lid", pn: "15550100001@c.us" },
    { lid: "100000000000002@lid", pn: "15550100002@c.us" },
    { lid: "100000000000101@lid", pn: "15550100101@c.us" },
    { lid: "100000000000102@lid", pn: "15550100102@c.us" },
  ];
  if (demo === "full") lids.push({ lid: LID_KNOWN, pn: LID_KNOWN_PN });
  return lids;
}

/**
 * An unread message from someone else: WEBJS reports it SERVER (as the simulator always has);
 * NOWEB and GOWS store what they received as DEVICE.
 */
// WAHA: src/core/engines/noweb/session.noweb.core.ts (fixMessages: no status → DEVICE)
// WAHA: src/core/engines/gows/session.gows.core.ts (messagesFromOthers$: Status = DeliveryAck)
function receivedAck(engine: Engine): number {
  return engine === "WEBJS" ? 1 : 2;
}

/** `salt` keeps one customer's message ids apart on another number's simulator. */
function buildMessages(script: Script, index: number, engine: Engine, salt = ""): SimMessage[] {
  const count = script.lines.length;
  const times: number[] = new Array<number>(count);
  let t = DEMO_ANCHOR - index * 2_700 - ((index * 7_919) % 900);
  for (let j = count - 1; j >= 0; j--) {
    times[j] = t;
    t -= 95 + ((index * 31 + j * 17) % 400);
  }
  return script.lines.map((line, j) => {
    const fromMe = line.me === true;
    const participant = line.by === undefined ? undefined : script.participants?.[line.by];
    const key = messageKey(`${salt}${script.id}#${j}`);
    const unread = !fromMe && j >= count - script.unread;
    const message: SimMessage = {
      id: messageIdOf(script.id, fromMe, key, participant),
      key,
      chatId: script.id,
      timestamp: times[j] ?? DEMO_ANCHOR,
      fromMe,
      body: line.text,
      type: "chat",
      ack: fromMe ? (line.media?.kind === "audio/ogg" ? 4 : 3) : unread ? receivedAck(engine) : 3,
    };
    if (participant) message.participant = participant;
    const attach = line.media;
    if (attach) {
      const mimetype = attach.mimetype ?? attach.kind;
      message.type = messageTypeOf(attach.kind, mimetype);
      message.media = {
        kind: attach.kind,
        mimetype,
        filename: attach.filename ?? null,
        look: attach.look,
        missing: attach.missing === true,
      };
      if (attach.caption) message.media.caption = attach.caption;
    }
    return message;
  });
}

export function buildDemoChats(engine: Engine = "WEBJS", demo: DemoSet = "basic"): SimChat[] {
  const scripts =
    demo === "support"
      ? SUPPORT_SCRIPTS
      : demo === "full"
        ? [...SCRIPTS, ...EXTRA_SCRIPTS]
        : SCRIPTS;
  const salt = demo === "support" ? "support:" : "";
  return scripts.map((script, index) => {
    const chat: SimChat = {
      id: script.id,
      name: script.name,
      isGroup: script.id.endsWith("@g.us"),
      idShape: script.shape,
      unreadCount: script.unread,
      pinned: script.pinned === true,
      archived: false,
      messages: buildMessages(script, index, engine, salt),
    };
    if (script.participants) {
      chat.participants = script.id.endsWith("@g.us")
        ? [ME_ID, ...script.participants]
        : script.participants;
    }
    return chat;
  });
}
