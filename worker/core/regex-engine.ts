// RE2 (re2js: about 150 KB of the bundle, and work to evaluate) is loaded on first need, not when
// an isolate starts: most rule regexes are plain words or anchored sequences like
// "^/v[0-9]+/legacy/" that string search answers (literal-pattern.ts), and a table without any
// other pattern never needs the engine. Whoever compiles or checks a pattern string search cannot
// answer awaits `loadRegexEngine()` first: the data plane's table load does when the route
// document holds one (`needsRegexEngine`), the admin API and the CLI before they compile configs.
import type { RE2JS } from "re2js";
import { literalPattern } from "./literal-pattern.ts";

export type RegexEngine = typeof RE2JS;

let engine: RegexEngine | undefined;
let loading: Promise<RegexEngine> | undefined;

/** Loads RE2 once (later calls share the first load; a failed load is tried again). */
export function loadRegexEngine(): Promise<RegexEngine> {
  loading ??= import("re2js").then(
    (module) => {
      engine = module.RE2JS;
      return engine;
    },
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/** The loaded engine; throws when nothing awaited `loadRegexEngine()` before compiling. */
export function regexEngine(): RegexEngine {
  if (!engine)
    throw new Error(
      "RE2 is not loaded: await loadRegexEngine() before compiling a pattern string search cannot answer",
    );
  return engine;
}

/**
 * Whether a parsed JSON value (a route document, a config) holds a `regex` that string search
 * cannot answer. Looks at every `regex` field, wherever it is: it may load the engine for a field
 * the decoder then ignores, never miss one it compiles.
 */
export function needsRegexEngine(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(needsRegexEngine);
  if (typeof value !== "object" || value === null) return false;
  for (const [key, inner] of Object.entries(value)) {
    if (key === "regex" && typeof inner === "string" && !literalPattern(inner)) return true;
    if (needsRegexEngine(inner)) return true;
  }
  return false;
}
