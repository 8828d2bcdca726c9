import fc from "fast-check";
import { RE2JS } from "re2js";
import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from "vitest";
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
    for (const source of ["^a|b", "a|b$", "a.b", "(?i)bot", "a+", "(a|b", "[ab]", "a||b"])
      expect(literalPattern(source), source).toBeUndefined();
  });

  it("answers exactly as RE2 does, for any plain-word pattern and input", () => {
    // Many short words over few characters: words inside, and ending, other words.
    const pattern = plainWords(fc.stringMatching(/^[ab/ -]{1,3}$/), 8);
    const input = fc.stringMatching(/^[ab/ \n😀-]{0,12}$/u);
    fc.assert(
      fc.property(pattern, input, (source, value) => {
        const fast = literalPattern(source);
        if (fast) expect(fast.test(value)).toBe(RE2JS.compile(source).test(value));
      }),
      { numRuns: 1000 },
    );
  }, 60_000);
});

/** Part of a generated pattern, with characters inside it, so values that match can be built. */
interface Part {
  source: string;
  samples: string[];
}

/** Characters at the classes' edges, the newline `.` leaves out, non-ASCII and surrogates. */
const EDGE_CHARS = ["a", "c", "0", "9", "/", "-", ".", " ", "_", "Z", "[", "]", "\\", "$", "^"];
const OTHER_CHARS = ["\n", "\t", "\f", "\v", "é", "😀", "\uD83D", "\uDE00"];

const part = (source: string, ...samples: string[]): Part => ({ source, samples });

/** A class of members (ranges, characters, `\d`…), maybe negated; some members are near misses. */
const charClass: fc.Arbitrary<Part> = fc
  .tuple(
    fc.boolean(),
    fc.array(
      fc.constantFrom(
        part("a", "a"),
        part("b", "b"),
        part("0-9", "0", "5", "9"),
        part("a-c", "a", "c"),
        part("Z-a", "Z", "\\", "_", "a"),
        part("-", "-"),
        part("/", "/"),
        part(".", "."),
        part("^", "^"),
        part("$", "$"),
        part("\\d", "3"),
        part("\\w", "_", "z", "Q"),
        part("\\s", "\n", " ", "\f"),
        part("\\]", "]"),
        part("\\-", "-"),
        part("\\\\", "\\"),
        // Near misses: RE2 refuses them or reads them otherwise; left to RE2 here.
        part("b-a"),
        part("\\D"),
        part("[:alpha:]"),
        part("é", "é"),
      ),
      { minLength: 0, maxLength: 3 },
    ),
  )
  .map(([negated, members]) => {
    const inside = members.flatMap((member) => member.samples);
    return {
      source: `[${negated ? "^" : ""}${members.map((member) => member.source).join("")}]`,
      samples: negated ? [...EDGE_CHARS, ...OTHER_CHARS] : inside,
    };
  });

/** One atom: a character, an escape, `.`, a Perl class or a class; or a near miss. */
const atom: fc.Arbitrary<Part> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      ...["a", "b", "/", "-", "0", " ", "_"].map((char) => part(char, char)),
      part("\\.", "."),
      part("\\/", "/"),
    ),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      part(".", "a", "/", "😀", "\uDE00", "é"),
      part("\\d", "0", "9"),
      part("\\w", "a", "_", "Z"),
      part("\\s", " ", "\t", "\n"),
      part("\\D", "a", "\n", "😀"),
      part("\\W", "/", "\n", "é"),
      part("\\S", "a", "\uD83D"),
      part("\\$", "$"),
      part("\\^", "^"),
      part("\\\\", "\\"),
    ),
  },
  { weight: 5, arbitrary: charClass },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      ...["é", "\\b", "\\n", "(", ")", "|", "(?i)", "(a|b)", "^", "$", "{", "]"].map((source) =>
        part(source, "a"),
      ),
    ),
  },
);

/** A quantifier, mostly none; some RE2 refuses or reads as literal text. */
const quantifier = fc.oneof(
  { weight: 8, arbitrary: fc.constant("") },
  {
    weight: 6,
    arbitrary: fc.constantFrom("?", "*", "+", "{0}", "{2}", "{0,2}", "{1,3}", "{2,}", "{0,1}"),
  },
  { weight: 1, arbitrary: fc.constantFrom("*?", "+?", "{,2}", "{01}", "{2,1}", "**", "{2}{1}") },
);

/** Atoms, each maybe repeated, maybe anchored at either end; with samples of each atom. */
const atomSequence = fc
  .tuple(
    fc.constantFrom("", "^"),
    fc.array(
      fc.tuple(atom, quantifier).map(([a, q]) => ({ source: a.source + q, samples: a.samples })),
      { minLength: 1, maxLength: 5 },
    ),
    fc.constantFrom("", "$"),
  )
  .map(([start, parts, end]) => ({
    source: `${start}${parts.map((p) => p.source).join("")}${end}`,
    parts,
  }));

const anyChar = fc.constantFrom(...EDGE_CHARS, ...OTHER_CHARS);
const randomValue = fc.array(anyChar, { maxLength: 8 }).map((chars) => chars.join(""));

/**
 * Values that often match: each atom's characters 0–3 times, now and then an edge character
 * instead, maybe text before and after (random values rarely match a pattern of five atoms).
 */
function nearMatches(parts: Part[]): fc.Arbitrary<string> {
  const piece = ({ samples }: Part) =>
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .array(fc.constantFrom(...(samples.length > 0 ? samples : ["a"])), { maxLength: 3 })
          .map((chars) => chars.join("")),
      },
      { weight: 1, arbitrary: anyChar },
    );
  return fc
    .tuple(
      fc.oneof(fc.constant(""), randomValue),
      fc.tuple(...parts.map(piece)),
      fc.oneof(fc.constant(""), randomValue),
    )
    .map(([before, pieces, after]) => before + pieces.join("") + after);
}

/** Generated patterns string search takes. */
const takenSequence = atomSequence.filter(({ source }) => literalPattern(source) !== undefined);

describe("anchored sequences of one-character atoms answered without RE2", () => {
  it("covers the rule shapes routing uses", () => {
    for (const source of [
      "^/v[0-9]+/legacy/",
      "^/users/[0-9]+$",
      "^/users/\\d+/?$",
      "^/api/v[12]/",
      "\\.json$",
      "[0-9]{1,3}\\.json$",
      "[a-z]+\\.json$",
      "^/static/.*",
      "^[a-z]{2}-[A-Z]{2}$",
      "^[a-z0-9-]{1,64}$",
      "^[^/]+/[^/]+$",
      "^[\\d-z]+$",
      "\\.php",
      "^\\$",
    ])
      expect(literalPattern(source), source).toBeDefined();
  });

  it("leaves to RE2 what one greedy pass cannot answer exactly", () => {
    for (const source of [
      // A repeated atom that could take what a later mandatory atom needs.
      "^a[0-9]*[0-9]x",
      "^.*/legacy/",
      "^[a-z]+[a-f]?[0-9]$",
      "[0-9][0-9]*x$",
      // Unanchored, not plain text: every start would have to be tried.
      "[0-9]+",
      "/v[0-9]+/",
      // Groups, alternation inside, flags, lazy or doubled quantifiers, `{` as text.
      "^/v[0-9]+/(beta|preview)/",
      "^(?i)bot",
      "^a+?b",
      "^a**",
      "^a{,2}",
      "^a{01}",
      "^a{2,1}",
      // Escapes beyond punctuation and \d \w \s, classes beyond ASCII, POSIX or `]` first.
      "^\\bword",
      "^\\n",
      "^\\pL",
      "^[é]",
      "^[[:alpha:]]",
      "^[]a]",
      "^[]a",
      "^[z-a]",
      // Anchors inside, nothing between the anchors.
      "^a^b",
      "^a$b$",
      "^$",
    ])
      expect(literalPattern(source), source).toBeUndefined();
  });

  it("leaves a repeated atom that could take the next one's character to RE2, where greedy would miss", () => {
    // Greedy [0-9]* takes "12", leaving [0-9] nothing: a one-pass answer would be false.
    expect(RE2JS.compile("^a[0-9]*[0-9]x").test("a12x")).toBe(true);
    expect(literalPattern("^a[0-9]*[0-9]x")).toBeUndefined();
    // The mirror, read from the end: [0-9]* takes "12", leaving the first [0-9] nothing.
    expect(RE2JS.compile("[0-9][0-9]*x$").test("a12x")).toBe(true);
    expect(literalPattern("[0-9][0-9]*x$")).toBeUndefined();
  });

  it("answers exactly as RE2 does, for any pattern it takes and any input", () => {
    let taken = 0;
    let matched = 0;
    let compared = 0;
    const cases = atomSequence.chain((pattern) =>
      fc.tuple(
        fc.constant(pattern.source),
        fc.array(
          fc.oneof(
            { weight: 1, arbitrary: randomValue },
            { weight: 3, arbitrary: nearMatches(pattern.parts) },
          ),
          { minLength: 4, maxLength: 8 },
        ),
      ),
    );
    fc.assert(
      fc.property(cases, ([source, values]) => {
        const fast = literalPattern(source);
        if (!fast) return;
        taken++;
        const re2 = RE2JS.compile(source);
        for (const value of values) {
          const expected = re2.test(value);
          expect(fast.test(value), JSON.stringify({ source, value })).toBe(expected);
          compared++;
          if (expected) matched++;
        }
      }),
      { numRuns: 6000 },
    );
    // Not vacuous: many patterns taken, and inputs that match as well as ones that do not.
    expect(taken).toBeGreaterThan(1000);
    expect(matched).toBeGreaterThan(compared / 10);
    expect(compared - matched).toBeGreaterThan(compared / 5);
  }, 120_000);
});

describe("a pattern answered without RE2 runs in linear time", () => {
  let reads: MockInstance<(index: number) => number>;
  beforeAll(() => {
    reads = vi.spyOn(String.prototype, "charCodeAt");
  });
  afterAll(() => {
    reads.mockRestore();
  });

  /** The test's answer, and how many code units of the value it read to give it. */
  function readsFor(source: string, value: string): { answer: boolean; count: number } {
    const fast = literalPattern(source);
    expect(fast, source).toBeDefined();
    reads.mockClear();
    const answer = fast!.test(value);
    return { answer, count: reads.mock.calls.length };
  }

  it("reads each unit of a hostile 4,096-character value at most twice", () => {
    const cases: [string, string][] = [
      ["^[a-z]*[0-9]+[a-z]*$", `${"a".repeat(2000)}${"1".repeat(2000)}${"b".repeat(95)}!`],
      ["^.*", "x".repeat(4096)],
      ["^[^/]+/[^/]+/?$", `${"a".repeat(2048)}/${"b".repeat(2046)}/`],
      ["^\\S+\\s\\S+$", `${"😀".repeat(1000)} ${"\uD83D".repeat(2095)}`],
      ["[a-z]+[0-9]*\\.json$", `${"a".repeat(2000)}${"1".repeat(2091)}.json`],
    ];
    for (const [source, value] of cases) {
      expect(value.length, source).toBeGreaterThanOrEqual(4096);
      const { answer, count } = readsFor(source, value);
      expect(answer, source).toBe(RE2JS.compile(source).test(value));
      // The whole value read (not a shortcut), and no unit more than twice.
      expect(count, source).toBeGreaterThanOrEqual(value.length);
      expect(count, source).toBeLessThanOrEqual(2 * value.length + source.length);
    }
  });

  it("reads each unit once for alternation anywhere, however many words share a character", () => {
    // Searching once per word read a value of 4,096 slashes 15 times, at 270 times RE2's cost.
    const words = [
      "/v1/",
      "/v2/",
      "/v3/",
      "/v4/",
      "/v5/",
      "/v6/",
      "/v7/",
      "/v8/",
      "/v9/",
      "/beta/",
    ];
    for (const source of [`(${words.join("|")})`, words.join("|"), "(ab|ac|ad|ae|af|ag|ah)"]) {
      const value = source.includes("/") ? "/".repeat(4096) : "a".repeat(4096);
      const { answer, count } = readsFor(source, value);
      expect(answer, source).toBe(RE2JS.compile(source).test(value));
      // No word is in the value: every unit read, and none twice.
      expect(count, source).toBe(value.length);
    }
  });

  it("reads at most the value's length for alternation anywhere, for any words and input", () => {
    const pattern = plainWords(fc.stringMatching(/^[ab/-]{1,4}$/), 12).filter(
      (source) => source.includes("|") && !source.startsWith("^") && !source.endsWith("$"),
    );
    const long = fc.array(anyChar, { maxLength: 200 }).map((chars) => chars.join(""));
    fc.assert(
      fc.property(pattern, long, (source, value) => {
        const { answer, count } = readsFor(source, value);
        expect(answer).toBe(RE2JS.compile(source).test(value));
        expect(count).toBeLessThanOrEqual(value.length);
      }),
      { numRuns: 1000 },
    );
  }, 60_000);

  it("reads at most 2 × the value's length plus the pattern's length, for any pattern and input", () => {
    const long = fc.array(anyChar, { maxLength: 200 }).map((chars) => chars.join(""));
    fc.assert(
      fc.property(takenSequence, long, ({ source }, value) => {
        expect(readsFor(source, value).count).toBeLessThanOrEqual(2 * value.length + source.length);
      }),
      { numRuns: 1000 },
    );
  }, 60_000);
});

describe("anchored sequences, which the route decoder takes without RE2", () => {
  it("are all ones RE2 compiles within the program bound, up to the longest regex allowed", () => {
    const repeated = fc
      .tuple(
        fc.constantFrom("a", "[0-9]", ".", "\\d", "[^/]", "\\."),
        fc.oneof(
          quantifier,
          fc.integer({ min: 0, max: 600 }).map((n) => `{${n}}`),
          fc
            .tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 600 }))
            .map(([n, m]) => `{${n},${n + m}}`),
          fc.integer({ min: 0, max: 600 }).map((n) => `{${n},}`),
        ),
      )
      .map(([a, q]) => a + q);
    const pattern = fc
      .tuple(
        fc.constantFrom("^", ""),
        fc.array(
          fc.oneof(
            repeated,
            atom.map((a) => a.source),
          ),
          { minLength: 1, maxLength: 60 },
        ),
        fc.constantFrom("", "$"),
      )
      .map(([start, atoms, end]) => `${start}${atoms.join("")}${end}`.slice(0, MAX_REGEX_LENGTH))
      .filter((source) => literalPattern(source) !== undefined);
    fc.assert(
      fc.property(pattern, (source) => {
        expect(regexChecks.regexProblem(source)).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  }, 60_000);

  it("take the costliest repeat just within the bound, and leave a larger one to RE2's check", () => {
    expect(literalPattern("^a{0,497}$")).toBeDefined();
    expect(RE2JS.compile("^a{0,497}$").programSize()).toBeLessThanOrEqual(1000);
    expect(RE2JS.compile("^a{0,497}$").programSize()).toBeGreaterThan(990);
    expect(literalPattern("^a{0,498}")).toBeUndefined();
    expect(literalPattern("^a{0,499}$")).toBeUndefined();
    expect(RE2JS.compile("^a{0,499}$").programSize()).toBeGreaterThan(1000);
  });
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

describe("a pattern is analysed once per isolate", () => {
  it("asked again (RE2's check, the decoder, the compile), a pattern gets the same test back", () => {
    for (const source of ["(bot|crawler|spider)", "^/v[0-9]+/legacy/", "beta$"])
      expect(literalPattern(source), source).toBe(literalPattern(source));
    expect(literalPattern("(?i)bot")).toBeUndefined();
    expect(literalPattern("(?i)bot")).toBeUndefined();
  });

  it("holds at most 64 Ki characters of patterns: past them it starts over rather than grow", () => {
    const first = literalPattern("(kept|once)");
    // 400 alternations of about 200 characters each: about 80,000 characters, past the bound.
    for (let i = 0; i < 400; i++)
      literalPattern(`(${Array.from({ length: 30 }, (_, w) => `w${i}x${w}`).join("|")})`);
    expect(literalPattern("(kept|once)")).not.toBe(first);
  });
});
