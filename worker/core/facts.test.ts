import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCookies, readCookie } from "./facts.ts";

describe("reading one cookie in place", () => {
  it("finds a cookie among others, the first occurrence winning, spaces trimmed", () => {
    const header = "theme=dark;  ks_shop = 7f1d3c2a ; ks_shop=later; empty=; =nameless";
    expect(readCookie(header, "ks_shop")).toBe("7f1d3c2a");
    expect(readCookie(header, "theme")).toBe("dark");
    expect(readCookie(header, "empty")).toBe("");
    expect(readCookie(header, "ks")).toBeNull();
    expect(readCookie(header, "nameless")).toBeNull();
    expect(readCookie(null, "theme")).toBeNull();
  });

  it("gives what parsing the whole header gives, for any header and name", () => {
    const piece = fc.constantFrom("a", "b", "ab", "=", ";", " ", "\t", "\u00a0", "x=1", "; ");
    const header = fc.array(piece, { maxLength: 24 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(header, fc.constantFrom("a", "b", "ab", "x"), (text, name) => {
        expect(readCookie(text, name)).toBe(parseCookies(text).get(name) ?? null);
      }),
      { numRuns: 5000 },
    );
  });
});
