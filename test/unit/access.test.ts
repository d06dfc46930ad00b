/** The one access rule, as a predicate, an audience check and a SQL scope. */
import { describe, expect, it } from "vitest";
import { chatScope, maySee, mayTouch, scopedAgent } from "../../src/lib/auth/access.ts";

const admin = { role: "admin" as const, sub: "boss" };
const user = { role: "user" as const, sub: "viewer" };
const ana = { role: "agent" as const, sub: "ana" };

describe("the access rule", () => {
  it("lets staff touch every chat and an agent only its own", () => {
    for (const staff of [admin, user]) {
      expect(mayTouch(staff, null)).toBe(true);
      expect(mayTouch(staff, "ben")).toBe(true);
      expect(scopedAgent(staff)).toBeNull();
    }
    expect(mayTouch(ana, "ana")).toBe(true);
    expect(mayTouch(ana, "ben")).toBe(false);
    expect(mayTouch(ana, null)).toBe(false);
    expect(scopedAgent(ana)).toBe("ana");
  });

  it("shows an agent frames for everyone or for it, staff every frame", () => {
    expect(maySee(ana, { everyone: true })).toBe(true);
    expect(maySee(ana, { agents: ["ana", "ben"] })).toBe(true);
    expect(maySee(ana, { agents: ["ben"] })).toBe(false);
    expect(maySee(ana, { agents: [] })).toBe(false);
    expect(maySee(user, { agents: [] })).toBe(true);
  });

  it("scopes a query to an agent's chats of one number, and leaves staff's alone", () => {
    expect(chatScope(null, "sales", "m.jid")).toEqual({ sql: "", params: [] });
    expect(chatScope("ana", "sales", "m.jid")).toEqual({
      sql: "AND m.jid IN (SELECT jid FROM chat_assignments WHERE number = ? AND assigned_to = ?)",
      params: ["sales", "ana"],
    });
  });
});
