/** The monitoring page's entry (`/admin`): signs in (boot.ts), then draws the stats. */
import "./admin.css";
import { AdminApp } from "./admin-app.ts";
import { bootPage } from "./boot.ts";

bootPage({ title: "wa-edge monitoring", create: (deps) => new AdminApp(deps) });
