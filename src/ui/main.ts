/** The inbox page's entry: signs in (boot.ts), then runs the inbox. */
import "./inbox.css";
import "./team.css";
import "./contacts.css";
import { bootPage } from "./boot.ts";
import { InboxApp } from "./inbox-app.ts";

bootPage({ title: "wa-edge inbox", create: (deps) => new InboxApp(deps) });
