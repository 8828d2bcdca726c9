// Which rule regexes string search answers without the regex engine, and the test that answers
// them: the same answer as RE2 (case-sensitive, `$` only at the end of the text), linear in the
// value too, cheaper per test, and no RE2 to load in a fresh isolate. Two shapes:
// - plain words and alternation ("(bot|crawler|spider)", "^/api/v2", "beta$");
// - a sequence of one-character atoms anchored at the start ("^/v[0-9]+/legacy/",
//   "^/users/\d+/?$") or only at the end ("\.json$"): a character, an escaped punctuation
//   character, a class, `.` or `\d \w \s \D \W \S`, each maybe repeated (`? * + {n} {n,} {n,m}`).
//   It is matched greedily from the anchored end in one pass with no backtracking, which is exact
//   only when no repeated atom can take a character a later one needs: a pattern is taken only
//   when that is proven (`variableAtomsAreExact`).
// Others still run on RE2 (worker/core/matchers.ts), behind a check of the literal text an
// anchored pattern must start with, when it has one.
import { MAX_REGEX_PROGRAM } from "../../schemas/regex-checks.ts";

/** Characters that mean nothing special to RE2 outside a class. */
const WORD = "[A-Za-z0-9 _/:=,;@%!#&~'\"<>-]+";
const LITERAL_PATTERN = new RegExp(
  `^(\\^?)(?:(${WORD}(?:\\|${WORD})*)|\\((${WORD}(?:\\|${WORD})*)\\))(\\$?)$`,
);

const WORD_CHAR = new RegExp(`^${WORD}`);
const LITERAL_CHAR = new RegExp(`^${WORD}$`);

/** ASCII punctuation RE2 takes escaped as the character itself (`\.`, `\/`, `\-`, `\\`…). */
const ESCAPED_PUNCTUATION = /^[!-/:-@[-`{-~]$/;
/** Inside a class: any printable ASCII character but the class's own `[`, `\` and `]`. */
const CLASS_CHAR = /^[ -Z^-~]$/;

export interface PatternTest {
  test(value: string): boolean;
}

/**
 * What each pattern was found to be (null: RE2's). A loading service's patterns are asked about
 * three times (whether RE2 must load, the decoder's check, the compile), on a fresh isolate's
 * first request: analysed once instead. A test is pure, so rules sharing a pattern share it.
 * Bounded by the characters held, not the count: a test's tables grow with its pattern (an
 * alternation of 256 characters builds about 40 KB), so past MAX_ANALYSED_CHARACTERS of patterns
 * (a few MB of tables at most) it starts over rather than grow.
 */
const analysed = new Map<string, PatternTest | null>();
const MAX_ANALYSED_CHARACTERS = 65_536;
let analysedCharacters = 0;

/** A string-search test equivalent to the pattern, or undefined when RE2 must answer it. */
export function literalPattern(source: string): PatternTest | undefined {
  const known = analysed.get(source);
  if (known !== undefined) return known ?? undefined;
  const test = plainWords(source) ?? AtomSequence.of(source);
  if (analysedCharacters + source.length > MAX_ANALYSED_CHARACTERS) {
    analysed.clear();
    analysedCharacters = 0;
  }
  analysed.set(source, test ?? null);
  analysedCharacters += source.length;
  return test;
}

function plainWords(source: string): PatternTest | undefined {
  const match = LITERAL_PATTERN.exec(source);
  if (!match) return undefined;
  const [, start, bare, grouped, end] = match;
  // "^a|b" is (^a)|b: anchors apply to every word only when the words are grouped.
  if (bare?.includes("|") && (start || end)) return undefined;
  const words = (bare ?? grouped)!.split("|");
  return wordsTest(words, start === "^", end === "$");
}

function wordsTest(words: string[], fromStart: boolean, toEnd: boolean): PatternTest {
  if (fromStart && toEnd) {
    const set = new Set(words);
    return { test: (value) => set.has(value) };
  }
  if (fromStart) return { test: (value) => words.some((word) => value.startsWith(word)) };
  if (toEnd) return { test: (value) => words.some((word) => value.endsWith(word)) };
  if (words.length > 1) return new WordSearch(words);
  const [word] = words as [string];
  return { test: (value) => value.includes(word) };
}

/**
 * Whether any of several words occurs anywhere in a value, in one pass (Aho–Corasick): `includes`
 * once per word reads the value once per word, so "(/v1/|/v2/|…|/edge/)" against 4,096 slashes
 * took 270 times RE2's time. Words are ASCII, so any other code unit (a surrogate too) leaves
 * every partial match: no word is found inside a pair.
 */
class WordSearch implements PatternTest {
  /** Each ASCII unit's column in the table: 0 for a unit no word holds, as for every other unit. */
  readonly #column = new Uint8Array(128);
  readonly #columns: number;
  /** The state after reading a column in a state, a row per state; state 0 has read nothing. */
  readonly #next: Uint16Array;
  /** Whether a word ends at a state (or at one of its suffixes'). */
  readonly #found: Uint8Array;

  constructor(words: string[]) {
    let columns = 1;
    for (const word of words)
      for (let i = 0; i < word.length; i++) {
        const code = word.charCodeAt(i);
        if (!this.#column[code]) this.#column[code] = columns++;
      }
    this.#columns = columns;
    const states = 1 + words.reduce((sum, word) => sum + word.length, 0);
    // The trie of the words first (0: no child yet; the start state is no state's child).
    const child = new Uint16Array(states * columns);
    const found = new Uint8Array(states);
    let count = 1;
    for (const word of words) {
      let state = 0;
      for (let i = 0; i < word.length; i++) {
        const cell = state * columns + this.#column[word.charCodeAt(i)]!;
        child[cell] ||= count++;
        state = child[cell]!;
      }
      found[state] = 1;
    }
    // Then, breadth first, each state's missing moves are those of its longest proper suffix in
    // the trie (its fallback), so a read is one table look-up.
    const next = new Uint16Array(count * columns);
    const fallback = new Uint16Array(count);
    const queue: number[] = [0];
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      for (let column = 0; column < columns; column++) {
        const to = child[state * columns + column]!;
        const moved = state === 0 ? 0 : next[fallback[state]! * columns + column]!;
        if (to === 0) {
          next[state * columns + column] = moved;
          continue;
        }
        next[state * columns + column] = to;
        fallback[to] = moved;
        found[to] ||= found[moved]!;
        queue.push(to);
      }
    }
    this.#next = next;
    this.#found = found;
  }

  test(value: string): boolean {
    const columns = this.#columns;
    const column = this.#column;
    const next = this.#next;
    const found = this.#found;
    let state = 0;
    for (let at = 0; at < value.length; at++) {
      const unit = value.charCodeAt(at);
      state = next[state * columns + (unit < 128 ? column[unit]! : 0)]!;
      if (found[state]) return true;
    }
    return false;
  }
}

/**
 * The characters one atom matches. Every set here is built from ASCII characters alone, so every
 * other code point (a lone surrogate, a pair, any non-ASCII) is in it or not alike: `others`.
 */
class CharacterSet {
  readonly ascii = new Uint8Array(128);
  others = false;

  add(from: number, to = from): this {
    for (let code = from; code <= to; code++) this.ascii[code] = 1;
    return this;
  }

  addAll(set: CharacterSet): this {
    for (let code = 0; code < 128; code++) if (set.ascii[code]) this.ascii[code] = 1;
    this.others ||= set.others;
    return this;
  }

  /** Everything this set does not hold. */
  complement(): CharacterSet {
    const out = new CharacterSet();
    for (let code = 0; code < 128; code++) out.ascii[code] = this.ascii[code] ? 0 : 1;
    out.others = !this.others;
    return out;
  }

  /** Whether the UTF-16 code unit starting a character (of one or two units) is in the set. */
  has(unit: number): boolean {
    return unit < 128 ? this.ascii[unit] === 1 : this.others;
  }

  overlaps(set: CharacterSet): boolean {
    if (this.others && set.others) return true;
    for (let code = 0; code < 128; code++) if (this.ascii[code] && set.ascii[code]) return true;
    return false;
  }

  /** The one character of a set that holds exactly one, or undefined. */
  single(): string | undefined {
    if (this.others) return undefined;
    let found: number | undefined;
    for (let code = 0; code < 128; code++) {
      if (!this.ascii[code]) continue;
      if (found !== undefined) return undefined;
      found = code;
    }
    return found === undefined ? undefined : String.fromCharCode(found);
  }
}

function codes(chars: string): CharacterSet {
  const set = new CharacterSet();
  for (const char of chars) set.add(char.charCodeAt(0));
  return set;
}

/** RE2's Perl classes, ASCII only as RE2 defines them (`\s` has no `\v`). */
const PERL_CLASSES = new Map<string | undefined, CharacterSet>([
  ["d", new CharacterSet().add(0x30, 0x39)],
  ["w", new CharacterSet().add(0x30, 0x39).add(0x41, 0x5a).add(0x61, 0x7a).add(0x5f)],
  ["s", codes("\t\n\f\r ")],
]);
/** `.`: any character but a newline (RE2 without the `s` flag). */
const ANY_BUT_NEWLINE = codes("\n").complement();

interface Atom {
  set: CharacterSet;
  min: number;
  /** Infinity when unbounded (`*`, `+`, `{n,}`). */
  max: number;
}

/**
 * Reads a sequence of atoms, or stops (undefined) at anything outside the shapes it answers:
 * groups, alternation, flags, anchors inside, lazy or doubled quantifiers, `{` that is not a
 * repeat, non-ASCII, escapes other than punctuation and `\d \w \s \D \W \S`.
 */
class AtomReader {
  readonly #source: string;
  #at = 0;

  constructor(source: string) {
    this.#source = source;
  }

  atoms(): Atom[] | undefined {
    const atoms: Atom[] = [];
    while (this.#at < this.#source.length) {
      const set = this.#set();
      if (!set) return undefined;
      const repeat = this.#repeat();
      if (!repeat) return undefined;
      atoms.push({ set, ...repeat });
    }
    return atoms;
  }

  #next(): string | undefined {
    return this.#source[this.#at++];
  }

  #peek(offset = 0): string | undefined {
    return this.#source[this.#at + offset];
  }

  #set(): CharacterSet | undefined {
    const char = this.#next();
    if (char === undefined) return undefined;
    if (char === ".") return ANY_BUT_NEWLINE;
    if (char === "[") return this.#class();
    if (char === "\\") {
      const escaped = this.#next() ?? "";
      const perl = PERL_CLASSES.get(escaped.toLowerCase());
      if (perl) return escaped === escaped.toLowerCase() ? perl : perl.complement();
      return ESCAPED_PUNCTUATION.test(escaped) ? codes(escaped) : undefined;
    }
    return LITERAL_CHAR.test(char) ? codes(char) : undefined;
  }

  /** After `[`: literal characters, ranges and `\d \w \s`, maybe negated; `]` first is refused. */
  #class(): CharacterSet | undefined {
    const negated = this.#peek() === "^";
    if (negated) this.#at++;
    const set = new CharacterSet();
    // RE2 reads a `]` first as a character ("[]a]"), and "[]a" as unterminated: refused here.
    if (this.#peek() === "]") return undefined;
    while (this.#peek() !== "]") {
      const perl = this.#peek() === "\\" ? PERL_CLASSES.get(this.#peek(1)) : undefined;
      if (perl) {
        set.addAll(perl);
        // As RE2 reads it, a `-` right after is a character ("[\d-z]": digits, `-` and `z`).
        this.#at += 2;
        continue;
      }
      const from = this.#classChar();
      if (from === undefined) return undefined;
      let to = from;
      // As RE2 reads a class: `-` makes a range unless the class ends right after it.
      if (this.#peek() === "-" && this.#peek(1) !== "]" && this.#peek(1) !== undefined) {
        this.#at++;
        to = this.#classChar() ?? -1;
        if (to < from) return undefined;
      }
      set.add(from, to);
    }
    this.#at++;
    return negated ? set.complement() : set;
  }

  #classChar(): number | undefined {
    const char = this.#next();
    if (char === undefined) return undefined;
    if (char === "\\") {
      const escaped = this.#next() ?? "";
      return ESCAPED_PUNCTUATION.test(escaped) ? escaped.charCodeAt(0) : undefined;
    }
    return CLASS_CHAR.test(char) ? char.charCodeAt(0) : undefined;
  }

  #repeat(): { min: number; max: number } | undefined {
    const char = this.#peek();
    let repeat: { min: number; max: number };
    if (char === "?") repeat = { min: 0, max: 1 };
    else if (char === "*") repeat = { min: 0, max: Infinity };
    else if (char === "+") repeat = { min: 1, max: Infinity };
    else if (char === "{") {
      // RE2 reads a `{` that is not a well-formed repeat as a literal: refused here instead.
      const match = /^\{(0|[1-9]\d{0,3})(,(0|[1-9]\d{0,3})?)?\}/.exec(this.#source.slice(this.#at));
      if (!match) return undefined;
      const min = Number(match[1]);
      const max =
        match[2] === undefined ? min : match[3] === undefined ? Infinity : Number(match[3]);
      if (max < min) return undefined;
      this.#at += match[0].length - 1;
      repeat = { min, max };
    } else return { min: 1, max: 1 };
    // A quantifier right after this one (lazy `*?`, or `a**` that RE2 refuses) is no atom: the
    // next read stops there.
    this.#at++;
    return repeat;
  }
}

/**
 * Whether greedy matching, one pass with no backtracking, finds a match whenever one exists: each
 * atom that may repeat a variable number of times shares no character with the atoms after it, up
 * to the first that must match at least once. Then in every match it takes exactly the run of its
 * characters that greedy takes. When only optional atoms follow it, taking more never hurts: what
 * they can take, they can take a shorter end of.
 */
function variableAtomsAreExact(atoms: Atom[]): boolean {
  for (let i = 0; i < atoms.length; i++) {
    const atom = atoms[i]!;
    if (atom.min === atom.max) continue;
    const follow = new CharacterSet();
    let mandatory = false;
    for (let j = i + 1; j < atoms.length && !mandatory; j++) {
      follow.addAll(atoms[j]!.set);
      mandatory = atoms[j]!.min > 0;
    }
    if (mandatory && atom.set.overlaps(follow)) return false;
  }
  return true;
}

/**
 * An upper bound on the RE2 instructions the pattern compiles to (measured on re2js: 3 for the
 * program, 1 per anchor, 1 per atom, 1 more for `*` `+` `?`, `x{n,m}` n + 2(m − n)), so that
 * everything taken here passes the route decoder's cost check without RE2 running it.
 */
function programBound(atoms: Atom[]): number {
  let size = 5;
  for (const { min, max } of atoms) size += max === Infinity ? 2 * min + 2 : 2 * max;
  return size;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** UTF-16 units of the character starting at `at` (whose first unit is `unit`): 2 for a pair. */
function widthAt(value: string, at: number, unit: number): number {
  return isHighSurrogate(unit) && at + 1 < value.length && isLowSurrogate(value.charCodeAt(at + 1))
    ? 2
    : 1;
}

/** UTF-16 units of the character ending before `at` (whose last unit is `unit`): 2 for a pair. */
function widthBefore(value: string, at: number, unit: number): number {
  return isLowSurrogate(unit) && at > 1 && isHighSurrogate(value.charCodeAt(at - 2)) ? 2 : 1;
}

/**
 * An anchored sequence of atoms matched greedily from its anchored end. RE2 steps by code point:
 * a surrogate pair is one character, a lone surrogate one too. Each code unit is read once to take
 * it and maybe once more as a pair's second half, and each atom reads one it does not take: a test
 * costs at most 2 × value length + atoms reads, whatever the pattern.
 */
class AtomSequence implements PatternTest {
  readonly #atoms: Atom[];
  readonly #backwards: boolean;
  readonly #toEnd: boolean;

  private constructor(atoms: Atom[], backwards: boolean, toEnd: boolean) {
    this.#atoms = atoms;
    this.#backwards = backwards;
    this.#toEnd = toEnd;
  }

  static of(source: string): PatternTest | undefined {
    const fromStart = source.startsWith("^");
    const toEnd = source.endsWith("$") && !escapedAt(source, source.length - 1);
    const body = source.slice(fromStart ? 1 : 0, toEnd ? -1 : undefined);
    const atoms = new AtomReader(body).atoms();
    if (!atoms || atoms.length === 0) return undefined;
    if (programBound(atoms) > MAX_REGEX_PROGRAM) return undefined;
    const literal = atoms.every((atom) => atom.min === 1 && atom.max === 1 && atom.set.single());
    if (literal)
      return wordsTest([atoms.map((atom) => atom.set.single()).join("")], fromStart, toEnd);
    // Unanchored, a match may start anywhere: trying every start costs O(n²), RE2 does it in O(n).
    if (!fromStart && !toEnd) return undefined;
    // Anchored only at the end, it is the mirror of one anchored only at the start.
    const backwards = !fromStart;
    const ordered = backwards ? atoms.slice().reverse() : atoms;
    if (!variableAtomsAreExact(ordered)) return undefined;
    return new AtomSequence(ordered, backwards, fromStart && toEnd);
  }

  test(value: string): boolean {
    return this.#backwards ? this.#testBackwards(value) : this.#testForwards(value);
  }

  #testForwards(value: string): boolean {
    const length = value.length;
    let at = 0;
    for (const { set, min, max } of this.#atoms) {
      let count = 0;
      while (count < max && at < length) {
        const unit = value.charCodeAt(at);
        if (!set.has(unit)) break;
        at += widthAt(value, at, unit);
        count++;
      }
      if (count < min) return false;
    }
    return !this.#toEnd || at === length;
  }

  #testBackwards(value: string): boolean {
    let at = value.length;
    for (const { set, min, max } of this.#atoms) {
      let count = 0;
      while (count < max && at > 0) {
        const unit = value.charCodeAt(at - 1);
        if (!set.has(unit)) break;
        at -= widthBefore(value, at, unit);
        count++;
      }
      if (count < min) return false;
    }
    return true;
  }
}

/** Whether the character at `index` is escaped: preceded by an odd number of backslashes. */
function escapedAt(source: string, index: number): boolean {
  let backslashes = 0;
  while (index - backslashes - 1 >= 0 && source[index - backslashes - 1] === "\\") backslashes++;
  return backslashes % 2 === 1;
}

/**
 * The text every match of an anchored pattern starts with ("^/v[0-9]+/" → "/v"), or "" when there
 * is none to rely on: no anchor, an alternation anywhere, or nothing literal after the anchor.
 */
export function anchoredPrefix(source: string): string {
  // A group of flags alone ("(?i)", "(?)") matches nothing, and RE2 applies a quantifier after it
  // to the atom before it ("^/+(?i){0,1}" matches ""): with one anywhere, nothing is relied on.
  if (!source.startsWith("^") || source.includes("|") || source.includes("(?")) return "";
  let prefix = WORD_CHAR.exec(source.slice(1))?.[0] ?? "";
  // A quantifier that allows zero repeats makes the last character optional: not required.
  const next = source[1 + prefix.length];
  if (next === "*" || next === "?" || next === "{") prefix = prefix.slice(0, -1);
  return prefix;
}
