// The support desk's demo chats: a second WhatsApp number's inbox, with its own customers and
// one customer (Ana) who writes to both numbers, so the demo shows two inboxes side by side.
import type { Attach, Line, Script } from "./data.ts";

const screenshot: Attach = { kind: "image/png", look: "noise" };
const log: Attach = {
  kind: "application/pdf",
  look: "document",
  filename: "router-log.pdf",
  caption: "Router log from this morning",
};
const me = (text: string): Line => ({ me: true, text });
const them = (text: string, media?: Attach): Line => (media ? { text, media } : { text });

export const SUPPORT_SCRIPTS: Script[] = [
  {
    id: "15550100031@c.us",
    name: "Tomás Alves",
    shape: "string",
    unread: 2,
    lines: [
      them("My router drops the Wi-Fi every hour."),
      me("Hi Tomás, which model is it? The label is under the router."),
      them("Model AX-300. Here is its log", log),
      them("It just dropped again."),
    ],
  },
  {
    id: "15550100001@c.us",
    name: "Ana Souza",
    shape: "string",
    unread: 1,
    lines: [
      them("Hello support, the shop sent me a new jar."),
      them("How do I register the blender's warranty?"),
    ],
  },
  {
    id: "15550100032@c.us",
    name: "Uma Patel",
    shape: "object",
    unread: 0,
    lines: [
      them("The password reset e-mail never arrives."),
      me("We sent it again just now; please check the spam folder too."),
      them("Found it, thanks!"),
    ],
  },
  {
    id: "15550100033@c.us",
    name: "Viktor Novak",
    shape: "string",
    unread: 1,
    lines: [them("The app closes when I open Settings:", screenshot)],
  },
  {
    id: "15550100034@c.us",
    name: "Wen Li",
    shape: "object",
    unread: 0,
    lines: [
      me("Hi Wen, your repair is done and ready for pickup."),
      them("Great, I will come on Friday."),
    ],
  },
  {
    id: "15550100035@c.us",
    name: "Xavier Dupont",
    shape: "string",
    unread: 0,
    lines: [them("Is the help line open on Sundays?"), me("Yes, from 10 am to 4 pm.")],
  },
];
