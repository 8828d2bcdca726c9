import fc from "fast-check";
import { RE2JS } from "re2js";
import { beforeAll, describe, expect, it } from "vitest";
import { anchoredPrefix, literalPattern } from "./literal-pattern.ts";
import { compileRegex } from "./matchers.ts";
import { loadRegexEngine } from "./regex-engine.ts";

// Rules here have patterns string search cannot answer: RE2 loaded first, as the table load does.
beforeAll(async () => {
  await loadRegexEngine();
});

describe("plain-word patterns answered by string search", () => {
  it("covers words, alternation and anchors, and leaves everything else to RE2", () => {
    for (const source of ["(bot|crawler|spider)", "bot|crawler", "^/api/v2", "beta$", "^(a|b)$"])
      expect(literalPattern(source), source).toBeDefined();
    for (const source of [
      "^a|b",
      "a|b$",
      "\\.json$",
      "a.b",
      "(?i)bot",
      "a+",
      "(a|b",
      "[ab]",
      "a||b",
    ])
      expect(literalPattern(source), source).toBeUndefined();
  });

  it("answers exactly as RE2 does, for any plain-word pattern and input", () => {
    const word = fc.stringMatching(/^[ab/ -]{1,3}$/);
    const pattern = fc
      .tuple(
        fc.constantFrom("", "^"),
        fc.array(word, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.constantFrom("", "$"),
      )
      .map(([start, words, grouped, end]) =>
        grouped ? `${start}(${words.join("|")})${end}` : `${start}${words.join("|")}${end}`,
      );
    const input = fc.stringMatching(/^[ab/ \n-]{0,8}$/);
    fc.assert(
      fc.property(pattern, input, (source, value) => {
        const fast = literalPattern(source);
        if (fast) expect(fast.test(value)).toBe(RE2JS.compile(source).test(value));
      }),
      { numRuns: 1000 },
    );
  }, 60_000);
});

describe("the literal start of an anchored pattern", () => {
  it("is the text after ^ up to the first operator, less a character made optional", () => {
    expect(anchoredPrefix("^/v[0-9]+/legacy/")).toBe("/v");
    expect(anchoredPrefix("^/api/v2+x")).toBe("/api/v2");
    expect(anchoredPrefix("^/api/v2?x")).toBe("/api/v");
    expect(anchoredPrefix("^ab*")).toBe("a");
    expect(anchoredPrefix("^a{0,2}")).toBe("");
    for (const source of ["/v[0-9]", "^(a+)+$", "^a|b", "^(?i)abc", "^\\.x"])
      expect(anchoredPrefix(source), source).toBe("");
  });

  it("never turns away a value RE2 would match", () => {
    const pattern = fc
      .array(
        fc.constantFrom("^", "a", "b", "/", "*", "+", "?", "{0,1}", "[ab]", ".", "(", ")", "|"),
        {
          minLength: 1,
          maxLength: 7,
        },
      )
      .map((parts) => `^${parts.join("")}`)
      .filter((source) => {
        try {
          RE2JS.compile(source);
          return true;
        } catch {
          return false;
        }
      });
    const input = fc.stringMatching(/^[ab/]{0,6}$/);
    fc.assert(
      fc.property(pattern, input, (source, value) => {
        expect(compileRegex(source).test(value)).toBe(RE2JS.compile(source).test(value));
      }),
      { numRuns: 2000 },
    );
  }, 60_000);
});
