// The config's fixed words and text patterns, defined once and with no schema library: the zod
// schemas check with them, and so does the data plane's decoder (worker/data-plane/route-decoder.ts),
// which a fresh isolate runs without zod. route-decoder.test.ts proves the two accept the same.

/** A service host: exact, or a wildcard (`*.`) over any depth of subdomain; lowercase. */
export const HOST = /^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
/** Service, version, release and context names. */
export const NAME = /^[a-z0-9][a-z0-9-]*$/;
/** An RFC 6265 cookie name (an HTTP token). */
export const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
export const STICKY_BY = /^(cookie|ip|none|header:[A-Za-z0-9-]+)$/;
/** Experiment and variant names. */
export const EXPERIMENT_NAME = /^[A-Za-z0-9_.-]+$/;
/** "5xx", "4xx" or one status code. */
export const ERROR_STATUS = /^[1-5](xx|\d\d)$/;
/** Visible ASCII and inner spaces: no CR/LF, no control characters (they cannot be a header value). */
export const HEADER_SAFE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
/** A header name (an HTTP token), lowercase. */
export const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
export const METHOD = /^[A-Z]+$/;
/** Dotted JSON field names, `*` for any key or index ("items.*.id"). */
export const FIELD_PATH = /^(\*|[^.*\s]+)(\.(\*|[^.*\s]+))*$/;
export const COUNTRY = /^[A-Za-z]{2}$/;
export const COLO = /^[A-Za-z]{3}$/;

/** A match condition's operators: exactly one per condition. */
export const CONDITION_OPERATORS = ["equals", "in", "regex", "present", "prefix"] as const;

/** Cloudflare's continent codes (`request.cf.continent`). */
export const CONTINENTS = ["AF", "AN", "AS", "EU", "NA", "OC", "SA"] as const;

/** The longest ramp back: the candidate keeps part of its share this long after a failure. */
export const MAX_RAMP_MS = 3_600_000;
/** The shortest ramp back. */
export const MIN_RAMP_MS = 1_000;

/** What a rule's `when` may test: request facts, and all/any/not to combine them. */
export const CONDITION_KEYS = [
  "header",
  "cookie",
  "query",
  "path",
  "method",
  "country",
  "colo",
  "asn",
  "ip",
  "all",
  "any",
  "not",
] as const;

/** The kinds of history events. */
export const HISTORY_EVENT_TYPES = [
  "config.applied",
  "weights.changed",
  "config.reverted",
  "service.deleted",
  "rollout.started",
  "rollout.advanced",
  "rollout.paused",
  "rollout.resumed",
  "rollout.promoted",
  "rollout.rolledBack",
  "rollout.aborted",
  "rollout.checkFailed",
  "rollout.deadlineExceeded",
  "rollout.noTraffic",
] as const;

/** The routine events, which a notify target may not subscribe to: every other one it may. */
export const ROUTINE_EVENT_TYPES = [
  "weights.changed",
  "config.reverted",
  "service.deleted",
  "rollout.checkFailed",
] as const;

/** The hosts plain http may reach when a URL carries something secret: this machine only. */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(["127.0.0.1", "[::1]", "localhost"]);
