import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  factsFromDescription,
  parseCookies,
  queryNeedsDecoding,
  readCookie,
  readPlainQueryParam,
} from "./facts.ts";

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

  it("reads the cookies of two Cookie headers, which reach the Worker joined with ', '", () => {
    const header = "ks_shop=7f1d3c2a; theme=dark, beta=1; lang=en";
    expect(readCookie(header, "theme")).toBe("dark");
    expect(readCookie(header, "beta")).toBe("1");
    expect(readCookie(header, "lang")).toBe("en");
    expect(parseCookies(header).get("theme")).toBe("dark");
    expect(parseCookies(header).get("beta")).toBe("1");
  });

  it("reads a header in one pass, however many of its cookies lack a '=' or a ', '", () => {
    // A client's 16 KB of "a;", "a, " or "a&" read again from each pair would cost milliseconds.
    for (const header of [`${"a;".repeat(8_000)}ks=1`, `${"a, ".repeat(5_000)}ks=1`]) {
      expect(readCookie(header, "ks")).toBe("1");
      expect(costOf(() => readCookie(header, "ks"))).toBeLessThan(3 * header.length);
    }
    const search = `?${"a&".repeat(8_000)}q=1`;
    expect(readPlainQueryParam(search, "q")).toBe("1");
    expect(costOf(() => readPlainQueryParam(search, "q"))).toBeLessThan(3 * search.length);
  });

  it("reads a quoted value (RFC 6265) without its quotes, as servers do", () => {
    const header = 'beta="1"; ks_shop= "7f1d3c2a" ; lone="; bare=""';
    expect(readCookie(header, "beta")).toBe("1");
    expect(readCookie(header, "ks_shop")).toBe("7f1d3c2a");
    expect(readCookie(header, "lone")).toBe('"');
    expect(readCookie(header, "bare")).toBe("");
    expect(parseCookies(header).get("beta")).toBe("1");
  });

  it("gives what parsing the whole header gives, for any header and name", () => {
    const piece = fc.constantFrom(
      "a",
      "b",
      "ab",
      "=",
      ";",
      " ",
      "\t",
      "\u00a0",
      "x=1",
      "; ",
      '"',
      ",",
      ", ",
    );
    const header = fc.array(piece, { maxLength: 24 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(header, fc.constantFrom("a", "b", "ab", "x"), (text, name) => {
        expect(readCookie(text, name)).toBe(parseCookies(text).get(name) ?? null);
      }),
      { numRuns: 5000 },
    );
  });
});

describe("a request described as data (keystone explain)", () => {
  it("reads cookies from a Cookie header, as the data plane does; a cookie given apart wins", () => {
    const facts = factsFromDescription({
      host: "shop.example.com",
      headers: { Cookie: "beta=yes; ks_shop=7f1d3c2a-0000; beta=later" },
      cookies: { ks_shop: "given-apart-0001" },
    });
    expect(facts.cookie("beta")).toBe("yes");
    expect(facts.cookie("ks_shop")).toBe("given-apart-0001");
    expect(facts.cookie("missing")).toBeNull();
  });
});

describe("reading one query parameter in place", () => {
  it("finds a parameter as URLSearchParams does: first occurrence, bare names, empty pairs", () => {
    const search = "?page=2&debug&page=3&&=nameless&empty=&x=a=b";
    expect(readPlainQueryParam(search, "page")).toBe("2");
    expect(readPlainQueryParam(search, "debug")).toBe("");
    expect(readPlainQueryParam(search, "empty")).toBe("");
    expect(readPlainQueryParam(search, "x")).toBe("a=b");
    expect(readPlainQueryParam(search, "")).toBe("nameless");
    expect(readPlainQueryParam(search, "pag")).toBeNull();
    expect(readPlainQueryParam("", "page")).toBeNull();
    expect(readPlainQueryParam("??page=1", "?page")).toBe("1");
  });

  it("leaves to URLSearchParams what needs decoding: +, % and non-ASCII", () => {
    for (const search of ["?q=a+b", "?q=%41", "?q=\u00e9", "?q=\ud83d\ude00"])
      expect(queryNeedsDecoding(search), search).toBe(true);
    expect(queryNeedsDecoding("?page=2&debug")).toBe(false);
  });

  it("gives what URLSearchParams gives, for any query string that needs no decoding", () => {
    const piece = fc.constantFrom("a", "b", "ab", "=", "&", "?", "x=1", "&a", "=&", "a=", ";");
    const search = fc.array(piece, { maxLength: 24 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(search, fc.constantFrom("a", "b", "ab", "x", "", "?a"), (text, name) => {
        expect(queryNeedsDecoding(text)).toBe(false);
        expect(readPlainQueryParam(text, name)).toBe(new URLSearchParams(text).get(name));
      }),
      { numRuns: 5000 },
    );
  });

  it("never reads in place a query string whose reading would differ", () => {
    // Any string, any name: where the in-place read and URLSearchParams disagree, the string is
    // one that needs decoding (and is read by URLSearchParams instead).
    const piece = fc.constantFrom(
      "a",
      "=",
      "&",
      "+",
      "%",
      "%41",
      "%zz",
      "\u00e9",
      "\ud800",
      " ",
      "?",
    );
    const search = fc.array(piece, { maxLength: 16 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(search, fc.constantFrom("a", "a a", "A", "\u00e9", "+"), (text, name) => {
        if (readPlainQueryParam(text, name) !== new URLSearchParams(text).get(name))
          expect(queryNeedsDecoding(text)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});

/**
 * What `read` costs in characters: one per charCodeAt, and the whole string per indexOf call.
 * Optimized V8 code (workerd, Node 22) was measured to pay about the string's length for an
 * indexOf from a position in a parser's loop, however soon it finds the character: a search per
 * pair is quadratic whatever it scans.
 */
function costOf(read: () => unknown): number {
  const { indexOf, charCodeAt } = String.prototype;
  let cost = 0;
  String.prototype.indexOf = function (this: string, search: string, from?: number) {
    cost += this.length;
    return indexOf.call(this, search, from);
  };
  String.prototype.charCodeAt = function (this: string, index: number) {
    cost++;
    return charCodeAt.call(this, index);
  };
  try {
    read();
  } finally {
    String.prototype.indexOf = indexOf;
    String.prototype.charCodeAt = charCodeAt;
  }
  return cost;
}
