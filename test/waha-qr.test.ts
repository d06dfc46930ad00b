import { describe, expect, it } from "vitest";
import { call, sim } from "./helpers.ts";
import { freshGatewayEachTest, newUser } from "./waha-fixtures.ts";

freshGatewayEachTest();

describe("the pairing QR", () => {
  it("is an image for an admin while the session waits for a scan, never cached", async () => {
    await sim.control("session", { status: "SCAN_QR_CODE" });
    const res = await call("/api/waha/qr", { as: newUser("admin") });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("image/png");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it("answers 409 not-pairing while the session works, and 403 to anyone but an admin", async () => {
    const working = await call("/api/waha/qr", { as: newUser("admin") });
    expect(working.status).toBe(409);
    expect(await working.json()).toMatchObject({ error: "not-pairing" });
    await sim.control("session", { status: "SCAN_QR_CODE" });
    for (const role of ["agent", "user"] as const) {
      expect((await call("/api/waha/qr", { as: newUser(role) })).status).toBe(403);
    }
  });
});
