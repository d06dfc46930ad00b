/** Phone numbers and initials as the inbox shows them, without a library. */
import { describe, expect, it } from "vitest";
import { formatPhone, initialsOf } from "../../src/ui/format.ts";

describe("formatPhone", () => {
  it("groups numbers as people read them", () => {
    expect(formatPhone("15551234567@c.us")).toBe("+1 555 123 4567");
    expect(formatPhone("5511987654321@c.us")).toBe("+55 11 98765 4321");
    expect(formatPhone("447911123456@c.us")).toBe("+44 791 112 3456");
    expect(formatPhone("351912345678@c.us")).toBe("+351 912 345 678");
  });

  it("leaves groups and @lid ids as they are", () => {
    expect(formatPhone("120363025246125486@g.us")).toBe("120363025246125486");
    expect(formatPhone("98765432100001@lid")).toBe("98765432100001");
  });
});

describe("initialsOf", () => {
  it("takes the first and last words' first letters", () => {
    expect(initialsOf("Ana Souza")).toBe("AS");
    expect(initialsOf("Brian O'Connor")).toBe("BC");
    expect(initialsOf("chen")).toBe("C");
    expect(initialsOf("+1 555")).toBe("15");
    expect(initialsOf("🙂")).toBe("#");
  });
});
