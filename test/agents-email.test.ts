import { beforeEach, describe, expect, it } from "vitest";
import { call, json, resetAssignmentData } from "./helpers.ts";

const ADMIN = { role: "admin", sub: "admin-1" } as const;
const USER = { role: "user", sub: "user-1" } as const;

const patch = (id: string, body: unknown, as: { role: "admin" | "user"; sub: string } = ADMIN) =>
  call(`/api/agents/${id}`, { ...json(body), method: "PATCH", as });

beforeEach(async () => {
  await resetAssignmentData();
});

describe("agents' sign-in e-mail", () => {
  it("is taken on create, stored lowercase and shown in the agent", async () => {
    const res = await call("/api/agents", {
      ...json({ id: "a-1", name: "Amira", email: "  Amira@Shop.Example " }),
      as: ADMIN,
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({
      id: "a-1",
      name: "Amira",
      active: true,
      email: "amira@shop.example",
      numbers: null,
    });
    const list = await call("/api/agents", { as: { role: "agent", sub: "a-1" } });
    expect(await list.json()).toEqual([
      { id: "a-1", name: "Amira", active: true, email: "amira@shop.example", numbers: null },
    ]);
  });

  it("refuses an e-mail another agent has with 409, whatever its case, on create and on change", async () => {
    await call("/api/agents", {
      ...json({ id: "a-1", name: "Amira", email: "amira@shop.example" }),
      as: ADMIN,
    });
    await call("/api/agents", { ...json({ id: "a-2", name: "Bruno" }), as: ADMIN });
    const created = await call("/api/agents", {
      ...json({ id: "a-3", name: "Copy", email: "AMIRA@shop.example" }),
      as: ADMIN,
    });
    expect(created.status).toBe(409);
    expect(await created.json()).toEqual({
      error: "agent-email-exists",
      message: "email: another agent has amira@shop.example",
    });
    const changed = await patch("a-2", { email: "Amira@Shop.example" });
    expect(changed.status).toBe(409);
    expect(await (await call("/api/agents", { as: ADMIN })).json()).toEqual([
      { id: "a-1", name: "Amira", active: true, email: "amira@shop.example", numbers: null },
      { id: "a-2", name: "Bruno", active: true, numbers: null },
    ]);
  });

  it("still refuses a taken id with 409 agent-exists when an e-mail is given", async () => {
    await call("/api/agents", { ...json({ id: "a-1", name: "Amira" }), as: ADMIN });
    const res = await call("/api/agents", {
      ...json({ id: "a-1", name: "Other", email: "other@shop.example" }),
      as: ADMIN,
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: "agent-exists" });
  });

  it("is set, changed and removed by PATCH, alone or with other fields", async () => {
    await call("/api/agents", { ...json({ id: "a-1", name: "Amira" }), as: ADMIN });
    const set = await patch("a-1", { email: "amira@shop.example" });
    expect(await set.json()).toEqual({
      id: "a-1",
      name: "Amira",
      active: true,
      email: "amira@shop.example",
      numbers: null,
    });
    // Setting one's own address again is no conflict.
    expect((await patch("a-1", { email: "AMIRA@shop.example" })).status).toBe(200);
    const both = await patch("a-1", { email: "amira.k@shop.example", name: "Amira K." });
    expect(await both.json()).toEqual({
      id: "a-1",
      name: "Amira K.",
      active: true,
      email: "amira.k@shop.example",
      numbers: null,
    });
    const removed = await patch("a-1", { email: null });
    expect(await removed.json()).toEqual({
      id: "a-1",
      name: "Amira K.",
      active: true,
      numbers: null,
    });
  });

  it("answers 400 naming the field for an address that is not one", async () => {
    await call("/api/agents", { ...json({ id: "a-1", name: "Amira" }), as: ADMIN });
    for (const email of ["amira", "a@", 42, `${"x".repeat(250)}@shop.example`]) {
      const created = await call("/api/agents", { ...json({ name: "N", email }), as: ADMIN });
      expect(created.status).toBe(400);
      expect(await created.json()).toMatchObject({
        error: "invalid-request",
        message: expect.stringMatching(/^email: /),
      });
      const changed = await patch("a-1", { email });
      expect(changed.status).toBe(400);
      expect(await changed.json()).toMatchObject({ message: expect.stringMatching(/^email: /) });
    }
  });

  it("answers 404 for an e-mail on an agent that does not exist", async () => {
    const res = await patch("nobody", { email: "nobody@shop.example" });
    expect(res.status).toBe(404);
  });

  it("is an admin's to set: a user may rename agents but not map e-mails", async () => {
    await call("/api/agents", { ...json({ id: "a-1", name: "Amira" }), as: ADMIN });
    const created = await call("/api/agents", {
      ...json({ name: "Bruno", email: "bruno@shop.example" }),
      as: USER,
    });
    expect(created.status).toBe(403);
    expect((await patch("a-1", { email: "amira@shop.example" }, USER)).status).toBe(403);
    expect((await patch("a-1", { name: "Amira K." }, USER)).status).toBe(200);
    expect(await (await call("/api/agents", { as: ADMIN })).json()).toEqual([
      { id: "a-1", name: "Amira K.", active: true, numbers: null },
    ]);
  });
});
