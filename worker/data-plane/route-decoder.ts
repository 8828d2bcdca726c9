// The route document as the data plane reads it, checked by hand: no schema library is built or
// run when an isolate starts. It accepts and rejects exactly what the zod schemas of
// schemas/routes-doc.ts do, and returns the same values, defaults filled in (route-decoder.test.ts
// proves it with a differential property test), with one difference on purpose: a field it does
// not know is ignored, not refused, so a data plane still on the previous release serves an entry
// the next release wrote. An entry that must not be read that way says so in `needs`.
import { isCidr } from "../../schemas/cidr.ts";
import {
  COLO,
  CONDITION_KEYS,
  CONDITION_OPERATORS,
  CONTINENTS,
  COOKIE_NAME,
  COUNTRY,
  ERROR_STATUS,
  EXPERIMENT_NAME,
  FIELD_PATH,
  HEADER_NAME,
  HEADER_SAFE,
  HISTORY_EVENT_TYPES,
  HOST,
  LOOPBACK_HOSTS,
  MAX_RAMP_MS,
  METHOD,
  MIN_RAMP_MS,
  NAME,
  ROUTINE_EVENT_TYPES,
  STICKY_BY,
} from "../../schemas/config-words.ts";
import { serviceCrossIssues } from "../../schemas/cross-checks.ts";
import { parseDuration } from "../../schemas/duration-text.ts";
import type { LiveRouting } from "../../schemas/live-routing.ts";
import type { Mirror, MirrorCompare } from "../../schemas/mirror.ts";
import { MAX_REGEX_LENGTH, RegexChecks } from "../../schemas/regex-checks.ts";
import type { Analysis, Rollout, RolloutStep, Where } from "../../schemas/rollout.ts";
import {
  DATA_PLANE_CAPABILITIES,
  type HostShardDoc,
  type RoutesHead,
  type ServiceDoc,
} from "../../schemas/route-doc-format.ts";
import type { RouteEntry, RoutesDocEnvelope } from "../../schemas/routes-doc.ts";
import type {
  Affinity,
  Experiment,
  Rule,
  Service,
  Sticky,
  Version,
} from "../../schemas/service.ts";
import { literalPattern } from "../core/literal-pattern.ts";
import { regexEngine } from "../core/regex-engine.ts";

type Json = Record<string, unknown>;
type Path = string;

/** What a decode found wrong: where (a dotted path) and what. */
export interface DecodeProblem {
  at: Path;
  message: string;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; problems: DecodeProblem[] };

// The patterns and words are the schemas' own (schemas/config-words.ts); what zod does by itself
// (URLs, ISO dates) is written out here, and the differential test holds the two sides equal.
const HTTP_URL_START = /^https?:\/\//i;
const TAB_OR_NEWLINE = /[\t\n\r]/g;
// zod's z.iso.datetime(): RFC 3339 in UTC (Z), seconds required, any fraction.
const DATETIME =
  /^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|(?:02)-(?:0[1-9]|1\d|2[0-8])))T(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z))$/;

/** The events a notify target may subscribe to: all but the routine ones (event-types.ts). */
const NOTIFY_EVENTS = HISTORY_EVENT_TYPES.filter(
  (type) => !(ROUTINE_EVENT_TYPES as readonly string[]).includes(type),
);

interface NumberRule {
  int?: boolean;
  min?: number;
  max?: number;
  /** Strictly above. */
  above?: number;
}

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * One decode: the problems found so far, each with its path. Every method returns the decoded
 * value, or undefined after noting why; an absent optional field is the caller's to skip.
 */
class RouteDecoder {
  readonly problems: DecodeProblem[] = [];

  #fail(at: Path, message: string): undefined {
    this.problems.push({ at, message });
    return undefined;
  }

  /** What `decode` returns, or undefined when it recorded a problem. */
  #clean<T>(decode: () => T): T | undefined {
    const before = this.problems.length;
    const value = decode();
    return this.problems.length === before ? value : undefined;
  }

  object(value: unknown, at: Path): Json | undefined {
    return isObject(value) ? value : this.#fail(at, "expected an object");
  }

  string(value: unknown, at: Path): string | undefined {
    return typeof value === "string" ? value : this.#fail(at, "expected a string");
  }

  /** A string that passes `test` (after `map`, when given, as zod's toLowerCase runs first). */
  text(
    value: unknown,
    at: Path,
    test: (text: string) => boolean,
    message: string,
    map?: (text: string) => string,
  ): string | undefined {
    const text = this.string(value, at);
    if (text === undefined) return undefined;
    const mapped = map ? map(text) : text;
    return test(mapped) ? mapped : this.#fail(at, message);
  }

  number(value: unknown, at: Path, rule: NumberRule = {}): number | undefined {
    if (typeof value !== "number" || !Number.isFinite(value))
      return this.#fail(at, "expected a number");
    if (rule.int && !Number.isSafeInteger(value)) return this.#fail(at, "expected an integer");
    if (rule.min !== undefined && value < rule.min) return this.#fail(at, `below ${rule.min}`);
    if (rule.max !== undefined && value > rule.max) return this.#fail(at, `above ${rule.max}`);
    if (rule.above !== undefined && value <= rule.above)
      return this.#fail(at, `must be above ${rule.above}`);
    return value;
  }

  boolean(value: unknown, at: Path): boolean | undefined {
    return typeof value === "boolean" ? value : this.#fail(at, "expected true or false");
  }

  literalTrue(value: unknown, at: Path): true | undefined {
    return value === true ? true : this.#fail(at, "expected true");
  }

  oneOf<T extends string>(value: unknown, at: Path, options: readonly T[]): T | undefined {
    return typeof value === "string" && (options as readonly string[]).includes(value)
      ? (value as T)
      : this.#fail(at, `expected one of ${options.join(", ")}`);
  }

  array<T>(
    value: unknown,
    at: Path,
    item: (value: unknown, at: Path) => T | undefined,
    min = 0,
  ): T[] | undefined {
    if (!Array.isArray(value)) return this.#fail(at, "expected a list");
    if (value.length < min) return this.#fail(at, `needs at least ${min} item(s)`);
    return this.#clean(() => value.map((entry, i) => item(entry, `${at}[${i}]`) as T));
  }

  /** A map with checked keys; `__proto__` is skipped, as zod's records skip it. */
  record<T>(
    value: unknown,
    at: Path,
    key: (name: string) => string | undefined,
    item: (value: unknown, at: Path) => T | undefined,
  ): Record<string, T> | undefined {
    const object = this.object(value, at);
    if (!object) return undefined;
    return this.#clean(() => {
      const out: Record<string, T> = {};
      for (const name of Object.keys(object)) {
        if (name === "__proto__") continue;
        const problem = key(name);
        if (problem) this.#fail(`${at}.${name}`, problem);
        else out[name] = item(object[name], `${at}.${name}`) as T;
      }
      return out;
    });
  }

  // ── Values on the wire ────────────────────────────────────────────────────────────────────

  percent(value: unknown, at: Path): number | undefined {
    const percent = this.number(value, at, { min: 0, max: 100 });
    if (percent === undefined) return undefined;
    return Math.abs(percent * 100 - Math.round(percent * 100)) < 1e-6
      ? percent
      : this.#fail(at, "a percent has at most two decimals");
  }

  duration(value: unknown, at: Path): string | undefined {
    return this.text(
      value,
      at,
      (text) => parseDuration(text) !== undefined,
      'not a duration: use a number and a unit, like "30s", "5m", "1h"',
    );
  }

  headerValue(value: unknown, at: Path): string | undefined {
    return this.text(
      value,
      at,
      (text) => text.length <= 256 && HEADER_SAFE.test(text),
      "use at most 256 visible ASCII characters",
    );
  }

  /** An http(s) URL as z.url({ protocol: /^https?$/ }) takes it: trimmed, tabs and newlines removed. */
  httpUrl(value: unknown, at: Path): { text: string; url: URL } | undefined {
    const raw = this.string(value, at);
    if (raw === undefined) return undefined;
    const trimmed = raw.trim();
    if (!HTTP_URL_START.test(trimmed) || !URL.canParse(trimmed))
      return this.#fail(at, "not an http(s) URL");
    const text = trimmed.replace(TAB_OR_NEWLINE, "");
    return { text, url: new URL(text) };
  }

  originUrl(value: unknown, at: Path): string | undefined {
    const parsed = this.httpUrl(value, at);
    if (!parsed) return undefined;
    const { text, url } = parsed;
    if (url.username || url.password)
      return this.#fail(at, "an origin URL cannot hold credentials (user:pass@)");
    if (url.search || text.includes("?"))
      return this.#fail(at, "an origin URL cannot have a query (?…)");
    if (url.hash || text.includes("#"))
      return this.#fail(at, "an origin URL cannot have a fragment (#…)");
    return text;
  }

  regex(value: unknown, at: Path): string | undefined {
    const source = this.string(value, at);
    if (source === undefined) return undefined;
    if (source.length > MAX_REGEX_LENGTH)
      return this.#fail(at, `regex longer than ${MAX_REGEX_LENGTH} characters`);
    // Refused by RE2 or too costly to run: the schema checks the cost at the rule, one compile here.
    // Patterns string search answers need no check (RE2 takes them all, within the program bound:
    // literal-pattern.ts refuses larger repeats, literal-pattern.test.ts proves it up to 256
    // characters), so a document of only those never needs the engine loaded.
    const problem = literalPattern(source)
      ? undefined
      : new RegexChecks(regexEngine()).regexProblem(source);
    return problem ? this.#fail(at, problem) : source;
  }

  // ── A service ─────────────────────────────────────────────────────────────────────────────

  version(value: unknown, at: Path): Version | undefined {
    const raw = this.object(value, at);
    if (!raw) return undefined;
    return this.#clean(() => {
      const out: Version = {
        origin: this.originUrl(raw.origin, `${at}.origin`)!,
        timeoutMs:
          raw.timeoutMs === undefined
            ? 30_000
            : this.number(raw.timeoutMs, `${at}.timeoutMs`, { int: true, min: 1, max: 300_000 })!,
      };
      if (raw.release !== undefined) out.release = this.headerValue(raw.release, `${at}.release`);
      if (raw.healthPath !== undefined)
        out.healthPath = this.text(
          raw.healthPath,
          `${at}.healthPath`,
          (text) => text.startsWith("/"),
          "starts with /",
        );
      return out;
    });
  }

  split(value: unknown, at: Path): Record<string, number> | undefined {
    const split = this.record(
      value,
      at,
      () => undefined,
      (percent, where) => this.percent(percent, where),
    );
    if (!split) return undefined;
    const total = Object.values(split).reduce((sum, p) => sum + Math.round(p * 100), 0);
    return total === 10_000 ? split : this.#fail(at, `weights sum to ${total / 100}, must be 100`);
  }

  affinity(value: unknown, at: Path): Affinity | undefined {
    const raw = this.object(value, at);
    if (!raw) return undefined;
    const maxAgeSeconds =
      raw.maxAgeSeconds === undefined
        ? 3_600
        : this.number(raw.maxAgeSeconds, `${at}.maxAgeSeconds`, {
            int: true,
            above: 0,
            max: 604_800,
          });
    return maxAgeSeconds === undefined ? undefined : { maxAgeSeconds };
  }

  sticky(value: unknown, at: Path): Sticky | undefined {
    if (value === undefined) return { by: "cookie", maxAgeSeconds: 2_592_000 };
    const raw = this.object(value, at);
    if (!raw) return undefined;
    return this.#clean(() => {
      const out: Sticky = {
        by:
          raw.by === undefined
            ? "cookie"
            : this.text(
                raw.by,
                `${at}.by`,
                (text) => STICKY_BY.test(text),
                "use cookie, header:<name>, ip or none",
              )!,
        maxAgeSeconds:
          raw.maxAgeSeconds === undefined
            ? 2_592_000
            : this.number(raw.maxAgeSeconds, `${at}.maxAgeSeconds`, { int: true, above: 0 })!,
      };
      if (raw.cookie !== undefined)
        out.cookie = this.text(
          raw.cookie,
          `${at}.cookie`,
          (text) => COOKIE_NAME.test(text),
          "not a valid cookie name",
        );
      if (raw.affinity !== undefined) out.affinity = this.affinity(raw.affinity, `${at}.affinity`);
      if (raw.group !== undefined)
        out.group = this.text(
          raw.group,
          `${at}.group`,
          (text) => text.length <= 63 && NAME.test(text),
          "use lowercase letters, digits and dashes ([a-z0-9-])",
        );
      return out;
    });
  }

  /** A header, cookie or query match (`named`), or the path's (prefix allowed). */
  match(value: unknown, at: Path, named: boolean): Json | undefined {
    const raw = this.object(value, at);
    if (!raw) return undefined;
    const out = this.#clean(() => {
      const out: Json = {};
      // A path match's name, a named match's prefix: unknown fields, ignored like any other.
      if (named)
        out.name = this.text(
          raw.name,
          `${at}.name`,
          (text) => text.length >= 1,
          "must not be empty",
        );
      if (raw.equals !== undefined) out.equals = this.string(raw.equals, `${at}.equals`);
      if (raw.in !== undefined)
        out.in = this.array(raw.in, `${at}.in`, (item, where) => this.string(item, where), 1);
      if (raw.regex !== undefined) out.regex = this.regex(raw.regex, `${at}.regex`);
      if (raw.present !== undefined) out.present = this.boolean(raw.present, `${at}.present`);
      if (!named && raw.prefix !== undefined)
        out.prefix = this.text(
          raw.prefix,
          `${at}.prefix`,
          (t) => t.startsWith("/"),
          "starts with /",
        );
      return out;
    });
    if (!out) return undefined;
    const used = CONDITION_OPERATORS.filter((op) => out[op] !== undefined);
    return used.length === 1
      ? out
      : this.#fail(at, "use exactly one of equals, in, regex, present (and prefix for a path)");
  }

  condition(value: unknown, at: Path): Json | undefined {
    const raw = this.object(value, at);
    if (!raw) return undefined;
    const out = this.#clean(() => {
      const out: Json = {};
      const list = <T>(key: string, item: (value: unknown, at: Path) => T | undefined) => {
        if (raw[key] !== undefined) out[key] = this.array(raw[key], `${at}.${key}`, item, 1);
      };
      for (const key of ["header", "cookie", "query"] as const)
        if (raw[key] !== undefined) out[key] = this.match(raw[key], `${at}.${key}`, true);
      if (raw.path !== undefined) out.path = this.match(raw.path, `${at}.path`, false);
      const nonEmpty = (item: unknown, where: Path) =>
        this.text(item, where, (text) => text.length >= 1, "must not be empty");
      list("method", nonEmpty);
      list("country", (item, where) =>
        this.text(item, where, (text) => text.length === 2, "country codes have two letters"),
      );
      list("colo", nonEmpty);
      list("asn", (item, where) => this.number(item, where, { int: true, min: 0 }));
      list("ip", (item, where) =>
        this.text(item, where, isCidr, "not an IPv4 or IPv6 CIDR (like 10.0.0.0/8)"),
      );
      list("all", (item, where) => this.condition(item, where));
      list("any", (item, where) => this.condition(item, where));
      if (raw.not !== undefined) out.not = this.condition(raw.not, `${at}.not`);
      return out;
    });
    if (!out) return undefined;
    return CONDITION_KEYS.some((key) => out[key] !== undefined)
      ? out
      : this.#fail(at, `needs at least one of ${CONDITION_KEYS.join(", ")}`);
  }

  rule(value: unknown, at: Path): Rule | undefined {
    const raw = this.object(value, at);
    if (!raw) return undefined;
    const out = this.#clean(() => {
      const out = {
        name: this.text(
          raw.name,
          `${at}.name`,
          (text) => text.length >= 1 && text.length <= 200,
          "1 to 200 characters",
        )!,
        when: this.condition(raw.when, `${at}.when`)!,
      } as Rule;
      if (raw.route !== undefined) out.route = this.string(raw.route, `${at}.route`);
      if (raw.split !== undefined) out.split = this.split(raw.split, `${at}.split`);
      return out;
    });
    if (!out) return undefined;
    if ((out.route === undefined) === (out.split === undefined))
      return this.#fail(at, "a rule needs either route or split");
    return out;
  }

  experiment(value: unknown, at: Path): Experiment | undefined {
    const raw = this.object(value, at);
    if (!raw) return undefined;
    const out = this.#clean(() => {
      const out = {
        name: this.text(
          raw.name,
          `${at}.name`,
          (text) => text.length <= 63 && EXPERIMENT_NAME.test(text),
          "at most 63 characters: letters, digits, _ . -",
        )!,
        variants: this.record(
          raw.variants,
          `${at}.variants`,
          (name) =>
            name.length <= 63 && EXPERIMENT_NAME.test(name)
              ? undefined
              : "variant names have at most 63 characters: letters, digits, _ . -",
          (variant, where) => this.#variant(variant, where),
        )!,
      } as Experiment;
      if (raw.when !== undefined)
        out.when = this.condition(raw.when, `${at}.when`) as Experiment["when"];
      return out;
    });
    if (!out) return undefined;
    const total = Object.values(out.variants).reduce((sum, v) => sum + v.weight, 0);
    if (Math.abs(total - 100) > 1e-9)
      return this.#fail(`${at}.variants`, `weights sum to ${total}, must be 100`);
    return out;
  }

  #variant(value: unknown, at: Path): Experiment["variants"][string] | undefined {
    const raw = this.object(value, at);
    if (!raw) return undefined;
    return this.#clean(() => {
      const out: Experiment["variants"][string] = {
        weight: this.number(raw.weight, `${at}.weight`, { min: 0, max: 100 })!,
      };
      if (raw.version !== undefined) out.version = this.string(raw.version, `${at}.version`);
      return out;
    });
  }

  mirror(value: unknown, at: Path): Mirror | undefined {
    const raw = this.object(value, at);
    if (!raw) return undefined;
    return this.#clean(() => {
      const percent = this.percent(raw.percent, `${at}.percent`);
      return {
        version: this.string(raw.version, `${at}.version`)!,
        percent:
          percent !== undefined && percent <= 0
            ? this.#fail(`${at}.percent`, "a mirror percent must be above 0")!
            : percent!,
        methods:
          raw.methods === undefined
            ? ["GET", "HEAD"]
            : this.array(
                raw.methods,
                `${at}.methods`,
                (item, where) =>
                  this.text(
                    item,
                    where,
                    (t) => METHOD.test(t),
                    "not an HTTP method",
                    (t) => t.toUpperCase(),
                  ),
                1,
              )!,
        withBody:
          raw.withBody === undefined ? false : this.boolean(raw.withBody, `${at}.withBody`)!,
        timeoutMs:
          raw.timeoutMs === undefined
            ? 5_000
            : this.number(raw.timeoutMs, `${at}.timeoutMs`, { int: true, min: 100, max: 30_000 })!,
        compare: this.#mirrorCompare(raw.compare, `${at}.compare`)!,
      };
    });
  }

  #mirrorCompare(value: unknown, at: Path): MirrorCompare | undefined {
    const raw = value === undefined ? {} : this.object(value, at);
    if (!raw) return undefined;
    const fields = (key: string) =>
      raw[key] === undefined
        ? []
        : this.array(raw[key], `${at}.${key}`, (item, where) =>
            this.text(
              item,
              where,
              (text) => text.length <= 200 && FIELD_PATH.test(text),
              'use dotted field names ("meta.requestId"), * for any key or index',
            ),
          )!;
    return this.#clean(() => ({
      headers:
        raw.headers === undefined
          ? ["content-type"]
          : this.array(raw.headers, `${at}.headers`, (item, where) =>
              this.text(
                item,
                where,
                (t) => HEADER_NAME.test(t),
                "not a header name",
                (t) => t.toLowerCase(),
              ),
            )!,
      body:
        raw.body === undefined
          ? "json"
          : this.oneOf(raw.body, `${at}.body`, ["json", "bytes", "none"])!,
      ignoreFields: fields("ignoreFields"),
      redactFields: fields("redactFields"),
      maxBodyBytes:
        raw.maxBodyBytes === undefined
          ? 262_144
          : this.number(raw.maxBodyBytes, `${at}.maxBodyBytes`, {
              int: true,
              min: 1024,
              max: 1_048_576,
            })!,
    }));
  }

  // ── A rollout ─────────────────────────────────────────────────────────────────────────────

  where(value: unknown, at: Path): Where | undefined {
    const raw = this.object(value, at);
    if (!raw) return undefined;
    const code = (pattern: RegExp, message: string) => (item: unknown, where: Path) => {
      const text = this.text(item, where, (t) => pattern.test(t), message);
      return text?.toUpperCase();
    };
    const out = this.#clean(() => {
      const out: Where = {};
      if (raw.country !== undefined)
        out.country = this.array(
          raw.country,
          `${at}.country`,
          code(COUNTRY, "country codes have two letters"),
          1,
        );
      if (raw.colo !== undefined)
        out.colo = this.array(
          raw.colo,
          `${at}.colo`,
          code(COLO, "colo codes have three letters"),
          1,
        );
      if (raw.continent !== undefined)
        out.continent = this.array(
          raw.continent,
          `${at}.continent`,
          (item, where) => this.oneOf(item, where, CONTINENTS),
          1,
        );
      return out;
    });
    if (!out) return undefined;
    return out.country || out.colo || out.continent
      ? out
      : this.#fail(at, "needs at least one of country, colo, continent");
  }

  #step(value: unknown, at: Path): RolloutStep | undefined {
    const raw = this.object(value, at);
    if (!raw) return undefined;
    const out = this.#clean(() => {
      const out: RolloutStep = {};
      if (raw.weight !== undefined) out.weight = this.percent(raw.weight, `${at}.weight`);
      if (raw.bake !== undefined) out.bake = this.duration(raw.bake, `${at}.bake`);
      if (raw.pause !== undefined) out.pause = this.literalTrue(raw.pause, `${at}.pause`);
      if (raw.where !== undefined) out.where = this.where(raw.where, `${at}.where`);
      return out;
    });
    if (!out) return undefined;
    if (out.pause && (out.weight !== undefined || out.bake !== undefined))
      return this.#fail(at, "a pause step has no weight or bake");
    if (out.pause && out.where !== undefined)
      return this.#fail(`${at}.where`, "a pause step keeps the place of the step before it");
    if (!out.pause && (out.weight === undefined || out.bake === undefined))
      return this.#fail(at, "a step needs weight and bake, or pause: true");
    return out;
  }

  #analysis(value: unknown, at: Path): Analysis | undefined {
    const raw = value === undefined ? {} : this.object(value, at);
    if (!raw) return undefined;
    return this.#clean(() => {
      const count = (key: string, fallback: number) =>
        raw[key] === undefined
          ? fallback
          : this.number(raw[key], `${at}.${key}`, { int: true, min: 0 })!;
      const out: Analysis = {
        minRequests: count("minRequests", 100),
        maxErrorRatePercent:
          raw.maxErrorRatePercent === undefined
            ? 5
            : this.percent(raw.maxErrorRatePercent, `${at}.maxErrorRatePercent`)!,
        failureLimit: count("failureLimit", 1),
      };
      for (const key of ["maxP95Ms", "maxLatencyRatio"] as const)
        if (raw[key] !== undefined) out[key] = this.number(raw[key], `${at}.${key}`, { above: 0 });
      for (const key of [
        "maxErrorRateDeltaPercent",
        "minErrorRateIncreasePercent",
        "maxMirrorMismatchPercent",
      ] as const)
        if (raw[key] !== undefined) out[key] = this.percent(raw[key], `${at}.${key}`);
      if (raw.judge !== undefined)
        out.judge = this.oneOf(raw.judge, `${at}.judge`, ["threshold", "statistical"]);
      if (raw.confidencePercent !== undefined)
        out.confidencePercent = this.number(raw.confidencePercent, `${at}.confidencePercent`, {
          min: 50,
          max: 99.99,
        });
      if (raw.maxRequestsPerVisitor !== undefined)
        out.maxRequestsPerVisitor = this.number(
          raw.maxRequestsPerVisitor,
          `${at}.maxRequestsPerVisitor`,
          { int: true, min: 1, max: 1_000_000 },
        );
      if (raw.countRules !== undefined)
        out.countRules = this.array(raw.countRules, `${at}.countRules`, (item, where) =>
          this.text(item, where, (text) => text.length >= 1, "must not be empty"),
        );
      return out;
    });
  }

  #onFailure(value: unknown, at: Path): Rollout["onFailure"] | undefined {
    if (value === undefined) return "rollback";
    if (typeof value === "string") return this.oneOf(value, at, ["rollback", "pause"] as const);
    const raw = this.object(value, at);
    if (!raw) return undefined;
    const out = this.#clean(() => {
      const out: Exclude<Rollout["onFailure"], string> = {
        action: this.oneOf(raw.action, `${at}.action`, ["rollback", "pause"])!,
      };
      if (raw.ramp !== undefined) {
        const ramp = this.duration(raw.ramp, `${at}.ramp`);
        const ms = ramp === undefined ? 0 : parseDuration(ramp)!;
        if (ramp !== undefined && (ms > MAX_RAMP_MS || ms < MIN_RAMP_MS))
          this.#fail(`${at}.ramp`, "between 1s and 1h");
        out.ramp = ramp;
      }
      return out;
    });
    if (!out) return undefined;
    return out.ramp !== undefined && out.action !== "rollback"
      ? this.#fail(`${at}.ramp`, "only a rollback can ramp")
      : out;
  }

  #gates(value: unknown, at: Path): Rollout["gates"] | undefined {
    const raw = this.object(value, at);
    if (!raw) return undefined;
    const urls = (key: string) =>
      raw[key] === undefined
        ? []
        : this.array(raw[key], `${at}.${key}`, (item, where) => {
            const parsed = this.httpUrl(item, where);
            if (!parsed) return undefined;
            return parsed.url.username || parsed.url.password
              ? this.#fail(where, "a gate URL cannot hold credentials (user:pass@)")
              : parsed.text;
          })!;
    return this.#clean(() => ({
      beforeStep: urls("beforeStep"),
      beforePromote: urls("beforePromote"),
    }));
  }

  rollout(value: unknown, at: Path): Rollout | undefined {
    const raw = this.object(value, at);
    if (!raw) return undefined;
    const out = this.#clean(() => {
      const out: Rollout = {
        strategy: this.oneOf(raw.strategy, `${at}.strategy`, ["canary", "linear", "blueGreen"])!,
        analysis: this.#analysis(raw.analysis, `${at}.analysis`)!,
        onFailure: this.#onFailure(raw.onFailure, `${at}.onFailure`)!,
      };
      if (raw.candidate !== undefined)
        out.candidate = this.string(raw.candidate, `${at}.candidate`);
      if (raw.steps !== undefined)
        out.steps = this.array(
          raw.steps,
          `${at}.steps`,
          (item, where) => this.#step(item, where),
          1,
        );
      for (const key of ["stepPercent", "maxWeight"] as const)
        if (raw[key] !== undefined) out[key] = this.percent(raw[key], `${at}.${key}`);
      for (const key of ["bake", "progressDeadline"] as const)
        if (raw[key] !== undefined) out[key] = this.duration(raw[key], `${at}.${key}`);
      if (raw.gates !== undefined) out.gates = this.#gates(raw.gates, `${at}.gates`);
      if (raw.onDeadline !== undefined)
        out.onDeadline = this.oneOf(raw.onDeadline, `${at}.onDeadline`, ["abort", "notify"]);
      return out;
    });
    if (!out) return undefined;
    if (out.strategy === "canary" && !out.steps)
      return this.#fail(`${at}.steps`, "a canary rollout needs steps");
    if (out.strategy === "linear" && (out.stepPercent === undefined || out.bake === undefined))
      return this.#fail(at, "a linear rollout needs stepPercent and bake");
    if (out.strategy === "linear" && out.stepPercent === 0)
      return this.#fail(`${at}.stepPercent`, "must be above 0");
    if (out.strategy !== "canary" && out.steps)
      return this.#fail(`${at}.steps`, "steps are for canary rollouts");
    return out;
  }

  #notify(value: unknown, at: Path): Service["notify"][number] | undefined {
    const raw = this.object(value, at);
    if (!raw) return undefined;
    return this.#clean(() => {
      const parsed = this.httpUrl(raw.url, `${at}.url`);
      if (parsed && parsed.url.protocol !== "https:" && !LOOPBACK_HOSTS.has(parsed.url.hostname))
        this.#fail(`${at}.url`, "use an https URL (http only for 127.0.0.1, ::1 or localhost)");
      return {
        url: parsed?.text as string,
        events: this.array(
          raw.events,
          `${at}.events`,
          (item, where) => this.oneOf(item, where, NOTIFY_EVENTS),
          1,
        ) as Service["notify"][number]["events"],
        format:
          raw.format === undefined
            ? "json"
            : this.oneOf(raw.format, `${at}.format`, ["json", "slack"])!,
      };
    });
  }

  service(value: unknown, at: Path): Service | undefined {
    const raw = this.object(value, at);
    if (!raw) return undefined;
    const out = this.#clean(
      (): Service => ({
        name: this.text(
          raw.name,
          `${at}.name`,
          (text) => text.length <= 63 && NAME.test(text),
          "use lowercase letters, digits and dashes ([a-z0-9-])",
        )!,
        hosts: this.array(
          raw.hosts,
          `${at}.hosts`,
          (item, where) =>
            this.text(
              item,
              where,
              (t) => HOST.test(t),
              "not a host name",
              (t) => t.toLowerCase(),
            ),
          1,
        )!,
        pathPrefix:
          raw.pathPrefix === undefined
            ? "/"
            : this.text(
                raw.pathPrefix,
                `${at}.pathPrefix`,
                (t) => t.startsWith("/"),
                "starts with /",
              )!,
        versions: this.record(
          raw.versions,
          `${at}.versions`,
          (name) =>
            name.length <= 63 && NAME.test(name) ? undefined : "at most 63 characters: [a-z0-9-]",
          (version, where) => this.version(version, where),
        )!,
        baseline: this.string(raw.baseline, `${at}.baseline`)!,
        split: this.split(raw.split, `${at}.split`)!,
        sticky: this.sticky(raw.sticky, `${at}.sticky`)!,
        rules:
          raw.rules === undefined
            ? []
            : this.array(raw.rules, `${at}.rules`, (item, where) => this.rule(item, where))!,
        experiments:
          raw.experiments === undefined
            ? []
            : this.array(raw.experiments, `${at}.experiments`, (item, where) =>
                this.experiment(item, where),
              )!,
        notify:
          raw.notify === undefined
            ? []
            : this.array(raw.notify, `${at}.notify`, (item, where) => this.#notify(item, where))!,
        forwardedFor:
          raw.forwardedFor === undefined
            ? "append"
            : this.oneOf(raw.forwardedFor, `${at}.forwardedFor`, ["append", "replace"])!,
        exposeVersionHeader:
          raw.exposeVersionHeader === undefined
            ? true
            : this.boolean(raw.exposeVersionHeader, `${at}.exposeVersionHeader`)!,
        errorStatuses:
          raw.errorStatuses === undefined
            ? ["5xx"]
            : this.array(raw.errorStatuses, `${at}.errorStatuses`, (item, where) =>
                this.text(
                  item,
                  where,
                  (t) => ERROR_STATUS.test(t),
                  'use "5xx" or a code such as "429"',
                ),
              )!,
        ...(raw.rollout === undefined
          ? {}
          : { rollout: this.rollout(raw.rollout, `${at}.rollout`) }),
        ...(raw.mirror === undefined ? {} : { mirror: this.mirror(raw.mirror, `${at}.mirror`) }),
      }),
    );
    if (!out) return undefined;
    for (const issue of serviceCrossIssues(out))
      this.#fail([at, ...issue.path].join("."), issue.message);
    return this.#clean(() => out);
  }

  live(value: unknown, at: Path): LiveRouting | undefined {
    const raw = this.object(value, at);
    if (!raw) return undefined;
    return this.#clean(() => {
      const out: LiveRouting = {
        scope: this.text(
          raw.scope,
          `${at}.scope`,
          (text) => text.length >= 1 && text.length <= 100,
          "1 to 100 characters",
        )!,
        voided: raw.voided === null ? null : this.string(raw.voided, `${at}.voided`)!,
        wave: raw.wave === null ? null : this.where(raw.wave, `${at}.wave`)!,
      };
      if (raw.ramping !== undefined) out.ramping = this.literalTrue(raw.ramping, `${at}.ramping`);
      return out;
    });
  }

  entry(value: unknown, at: Path): RouteEntry | undefined {
    const raw = this.object(value, at);
    if (!raw) return undefined;
    // Checked first: an entry this data plane cannot serve as meant is not read any further.
    if (raw.needs !== undefined) {
      const needs = this.array(raw.needs, `${at}.needs`, (item, where) =>
        this.text(item, where, (text) => text.length >= 1, "must not be empty"),
      );
      if (!needs) return undefined;
      const lacking = needs.filter((need) => !DATA_PLANE_CAPABILITIES.has(need));
      if (lacking.length > 0)
        return this.#fail(
          `${at}.needs`,
          `needs ${lacking.join(", ")}, which this data plane lacks (it has: ${[...DATA_PLANE_CAPABILITIES].join(", ") || "none"})`,
        );
    }
    return this.#clean(() => {
      const out: RouteEntry = {
        name: this.string(raw.name, `${at}.name`)!,
        sequence: this.number(raw.sequence, `${at}.sequence`, { int: true, min: 0 })!,
        config: this.service(raw.config, `${at}.config`)!,
      };
      if (raw.live !== undefined) out.live = this.live(raw.live, `${at}.live`);
      if (raw.needs !== undefined) out.needs = [...(raw.needs as string[])];
      return out;
    });
  }

  envelope(value: unknown): RoutesDocEnvelope | undefined {
    const raw = this.object(value, "document");
    if (!raw) return undefined;
    return this.#clean(() => ({
      format:
        raw.format === 1 || raw.format === 2
          ? raw.format
          : this.#fail("format", "expected 1 or 2")!,
      generation: this.number(raw.generation, "generation", { int: true, min: 0 })!,
      publishedAt: this.text(
        raw.publishedAt,
        "publishedAt",
        (text) => DATETIME.test(text),
        "expected an ISO date and time in UTC",
      )!,
      services: Array.isArray(raw.services)
        ? raw.services
        : this.#fail("services", "expected a list")!,
    }));
  }

  // ── Publication per service ────────────────────────────────────────────────────────────────

  #publishedAt(value: unknown): string | undefined {
    return this.text(
      value,
      "publishedAt",
      (text) => DATETIME.test(text),
      "expected an ISO date and time in UTC",
    );
  }

  #generation(value: unknown, at: Path): number | undefined {
    return this.number(value, at, { int: true, min: 0 });
  }

  #formatOne(value: unknown): 1 | undefined {
    return value === 1 ? 1 : this.#fail("format", "expected 1");
  }

  /** Host pattern → service names (a shard's hosts, the head's root hosts). */
  #hostIndex(value: unknown, at: Path): Record<string, string[]> | undefined {
    return this.record(
      value,
      at,
      () => undefined,
      (names, where) => this.array(names, where, (name, i) => this.string(name, i)),
    );
  }

  head(value: unknown): RoutesHead | undefined {
    const raw = this.object(value, "head");
    if (!raw) return undefined;
    return this.#clean(() => ({
      format: this.#formatOne(raw.format)!,
      generation: this.#generation(raw.generation, "generation")!,
      publishedAt: this.#publishedAt(raw.publishedAt)!,
      recentSince: this.#generation(raw.recentSince, "recentSince")!,
      recent: this.array(raw.recent, "recent", (item, at) => {
        const recent = this.object(item, at);
        if (!recent) return undefined;
        return this.#clean(() => ({
          generation: this.#generation(recent.generation, `${at}.generation`)!,
          services: this.array(recent.services, `${at}.services`, (name, where) =>
            this.string(name, where),
          )!,
          shards: this.array(recent.shards, `${at}.shards`, (shard, where) =>
            this.number(shard, where, { int: true, min: -1 }),
          )!,
        }));
      })!,
      rootHosts: this.#hostIndex(raw.rootHosts, "rootHosts")!,
    }));
  }

  hostShard(value: unknown): HostShardDoc | undefined {
    const raw = this.object(value, "shard");
    if (!raw) return undefined;
    return this.#clean(() => ({
      format: this.#formatOne(raw.format)!,
      generation: this.#generation(raw.generation, "generation")!,
      hosts: this.#hostIndex(raw.hosts, "hosts")!,
    }));
  }

  serviceDoc(value: unknown): ServiceDoc | undefined {
    const raw = this.object(value, "service");
    if (!raw) return undefined;
    // Any value (checked next as a RouteEntry), but present, as zod's z.unknown() in an object.
    if (raw.entry === undefined) this.#fail("entry", "expected a route entry");
    return this.#clean(() => ({
      format: this.#formatOne(raw.format)!,
      generation: this.#generation(raw.generation, "generation")!,
      entry: raw.entry,
    }));
  }
}

function decodeWith<T>(decode: (decoder: RouteDecoder) => T | undefined): Decoded<T> {
  const decoder = new RouteDecoder();
  const value = decode(decoder);
  return decoder.problems.length === 0 && value !== undefined
    ? { ok: true, value }
    : { ok: false, problems: decoder.problems };
}

/** The document's envelope (entries are decoded one by one: decodeRouteEntry). */
export const decodeEnvelope = (value: unknown): Decoded<RoutesDocEnvelope> =>
  decodeWith((decoder) => decoder.envelope(value));

/** The head of a publication per service (`routes:v2:head`). */
export const decodeHead = (value: unknown): Decoded<RoutesHead> =>
  decodeWith((decoder) => decoder.head(value));

/** One host index shard (`routes:v2:hosts:<shard>`). */
export const decodeHostShard = (value: unknown): Decoded<HostShardDoc> =>
  decodeWith((decoder) => decoder.hostShard(value));

/** One service's key (`routes:v2:service:<name>`): the wrapper; its entry is decodeRouteEntry's. */
export const decodeServiceDoc = (value: unknown): Decoded<ServiceDoc> =>
  decodeWith((decoder) => decoder.serviceDoc(value));

/** One entry of a format 2 document, or of a service's key. */
export const decodeRouteEntry = (value: unknown): Decoded<RouteEntry> =>
  decodeWith((decoder) => decoder.entry(value, "entry"));

/** One bare service of a format 1 document (an older registry). */
export const decodeService = (value: unknown): Decoded<Service> =>
  decodeWith((decoder) => decoder.service(value, "service"));

/** The first few problems on one line: enough for a log, never a wall of text. */
export function summarizeProblems(problems: DecodeProblem[]): string {
  const shown = problems
    .slice(0, 5)
    .map(({ at, message }) => `${at}: ${message}`)
    .join("; ");
  return problems.length > 5 ? `${shown}; and ${problems.length - 5} more` : shown;
}
