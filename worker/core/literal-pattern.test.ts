import fc from "fast-check";
import { RE2JS } from "re2js";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_REGEX_LENGTH, regexChecks } from "../../schemas/condition.ts";
import { anchoredPrefix, literalPattern } from "./literal-pattern.ts";
import { compileRegex } from "./matchers.ts";
import { loadRegexEngine } from "./regex-engine.ts";

/** Words joined by |, maybe grouped, maybe anchored at either end. */
function plainWords(word: fc.Arbitrary<string>, maxWords: number): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom("", "^"),
      fc.array(word, { minLength: 1, maxLength: maxWords }),
      fc.boolean(),
      fc.constantFrom("", "$"),
    )
    .map(([start, words, grouped, end]) =>
      grouped ? `${start}(${words.join("|")})${end}` : `${start}${words.join("|")}${end}`,
    );
}

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
    const pattern = plainWords(fc.stringMatching(/^[ab/ -]{1,3}$/), 3);
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

describe("plain-word patterns, which the route decoder takes without RE2", () => {
  it("are all ones RE2 compiles within the program bound, up to the longest regex allowed", () => {
    const word = fc.stringMatching(/^[A-Za-z0-9 _/:=,;@%!#&~'"<>-]{1,8}$/);
    const pattern = plainWords(word, 120)
      .map((source) => source.slice(0, MAX_REGEX_LENGTH))
      .filter((source) => literalPattern(source) !== undefined);
    fc.assert(
      fc.property(pattern, (source) => {
        expect(regexChecks.regexProblem(source)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });
});

describe("the literal start of an anchored pattern", () => {
  it("is the text after ^ up to the first operator, less a character made optional", () => {
    expect(anchoredPrefix("^/v[0-9]+/legacy/")).toBe("/v");
    expect(anchoredPrefix("^/api/v2+x")).toBe("/api/v2");
    expect(anchoredPrefix("^/api/v2?x")).toBe("/api/v");
    expect(anchoredPrefix("^ab*")).toBe("a");
    expect(anchoredPrefix("^a{0,2}")).toBe("");
    // A group of flags alone matches nothing: RE2 quantifies the atom before it.
    for (const source of ["^ab(?)*", "^a(?i)*", "^/+(?i){0,1}"])
      expect(anchoredPrefix(source), source).toBe("");
    for (const source of ["/v[0-9]", "^(a+)+$", "^a|b", "^(?i)abc", "^\\.x"])
      expect(anchoredPrefix(source), source).toBe("");
  });

  it("never turns away a value RE2 would match", () => {
    const pattern = fc
      .array(
        // "(?i)": a group of flags alone, after which RE2 quantifies the atom before it.
        fc.constantFrom(
          "^",
          "a",
          "b",
          "/",
          "*",
          "+",
          "?",
          "{0,1}",
          "[ab]",
          ".",
          "(",
          ")",
          "|",
          "(?i)",
        ),
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
