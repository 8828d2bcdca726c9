// Compiles published service configs into a RouteTable, once per config generation.
import type { LiveRouting } from "../../schemas/live-routing.ts";
import type { Service } from "../../schemas/service.ts";
import { maxPinLength, pinCookieName, pinScopeOf } from "./affinity.ts";
import { type BucketKey, saltSeed } from "./hash.ts";
import { layoutInOrder, layoutSplit } from "./layout.ts";
import { compileCondition } from "./matchers.ts";
import { DEFAULT_MAX_REQUESTS_PER_VISITOR } from "./metrics/visitor-limit.ts";
import { compileMirror } from "./mirror/compile-mirror.ts";
import { prefixCovers } from "./path.ts";
import type { Reason } from "./reason.ts";
import type {
  Choice,
  CompiledService,
  CompiledVersion,
  HostEntry,
  RouteTable,
  StickyKey,
} from "./route-table.ts";
import { compileWhere } from "./wave.ts";

export function compileRouteTable(
  services: readonly Service[],
  generation = 0,
  bucketKey: BucketKey | undefined = undefined,
): RouteTable {
  return assembleRouteTable(
    services.map((config) => compileService(config, generation, undefined, bucketKey)),
    generation,
  );
}

/** A table of services compiled one by one (so one that fails to compile cannot stop the rest). */
export function assembleRouteTable(
  services: readonly CompiledService[],
  generation: number,
): RouteTable {
  const table: RouteTable = {
    generation,
    services: new Map(),
    exactHosts: new Map(),
    wildcardHosts: new Map(),
    longestWildcard: 0,
  };
  for (const service of services) indexService(table, service);
  return table;
}

/** Adds a service to a table: its name, and its hosts (longest pathPrefix first). */
export function indexService(table: RouteTable, service: CompiledService): void {
  table.services.set(service.name, service);
  for (const host of service.hosts) {
    const { index, key } = hostSlot(table, host);
    if (index === table.wildcardHosts)
      table.longestWildcard = Math.max(table.longestWildcard, key.length);
    const entries = index.get(key) ?? [];
    entries.push({ pathPrefix: service.pathPrefix, service });
    entries.sort((a, b) => b.pathPrefix.length - a.pathPrefix.length);
    index.set(key, entries);
  }
}

/** Takes a service out of a table (a table assembled a service at a time keeps the others). */
export function unindexService(table: RouteTable, service: CompiledService): void {
  if (table.services.get(service.name) === service) table.services.delete(service.name);
  for (const host of service.hosts) {
    const { index, key } = hostSlot(table, host);
    const entries = index.get(key)?.filter((entry) => entry.service !== service) ?? [];
    if (entries.length > 0) index.set(key, entries);
    else index.delete(key);
  }
}

/** Where a host pattern's entries sit: exact hosts by name, wildcards by suffix (".shop.example.com"). */
function hostSlot(table: RouteTable, host: string) {
  const wildcard = host.startsWith("*.");
  return {
    index: wildcard ? table.wildcardHosts : table.exactHosts,
    key: wildcard ? host.slice(1) : host,
  };
}

/** Non-baseline versions in the order they are laid from the top: the candidate nearest it. */
function topOrderOf(config: Service): string[] {
  const others = Object.keys(config.versions).filter((name) => name !== config.baseline);
  const candidate = config.rollout?.candidate;
  if (candidate === undefined || !others.includes(candidate)) return others;
  return [candidate, ...others.filter((name) => name !== candidate)];
}

/** `bucketKey`: the BUCKET_SECRET's key of the visitor hash (none: the unkeyed hash). */
export function compileService(
  config: Service,
  sequence = 0,
  live: LiveRouting | undefined = undefined,
  bucketKey: BucketKey | undefined = undefined,
): CompiledService {
  const topOrder = topOrderOf(config);
  const versions = new Map<string, CompiledVersion>();
  for (const [name, version] of Object.entries(config.versions)) {
    const origin = new URL(version.origin);
    const basePath = origin.pathname.replace(/\/+$/, "");
    versions.set(name, {
      name,
      origin: version.origin,
      basePath,
      originPrefix: origin.origin + basePath,
      release: version.release,
      timeoutMs: version.timeoutMs,
    });
  }
  return {
    name: config.name,
    hosts: config.hosts,
    pathPrefix: config.pathPrefix,
    visitorLimit: config.rollout
      ? (config.rollout.analysis.maxRequestsPerVisitor ?? DEFAULT_MAX_REQUESTS_PER_VISITOR)
      : undefined,
    sequence,
    seed: saltSeed(config.sticky.group ?? config.name, bucketKey),
    group: config.sticky.group,
    affinity: config.sticky.affinity && {
      maxAgeSeconds: config.sticky.affinity.maxAgeSeconds,
      cookie: pinCookieName(config.name),
      scope: pinScopeOf(live),
      maxPinLength: maxPinLength(Math.max(...Object.keys(config.versions).map((v) => v.length))),
    },
    wave: live?.wave ? compileWhere(live.wave) : undefined,
    versions,
    baseline: config.baseline,
    ranges: layoutSplit(config.split, config.baseline, topOrder),
    splitChoices: choicesFor(versions.keys(), { kind: "split" }, "split"),
    topOrder,
    sticky: compileSticky(config),
    rules: config.rules.map((rule) => {
      // OutcomeRoute allows 100 characters of rule name.
      const outcomeRoute = `rule:${rule.name.slice(0, 100)}`;
      const reason = { kind: "rule", rule: rule.name, split: rule.route === undefined } as const;
      return {
        name: rule.name,
        outcomeRoute,
        matches: compileCondition(rule.when),
        route: rule.route,
        ranges: rule.split ? layoutSplit(rule.split, config.baseline, topOrder) : undefined,
        choices: choicesFor(versions.keys(), reason, outcomeRoute),
      };
    }),
    experiments: config.experiments.map((experiment) => {
      const pins = new Map(
        Object.entries(experiment.variants).flatMap(([n, v]) =>
          v.version === undefined ? [] : [[n, v.version] as const],
        ),
      );
      return {
        name: experiment.name,
        matches: experiment.when ? compileCondition(experiment.when) : undefined,
        seed: saltSeed(`${config.name}/${experiment.name}`, bucketKey),
        variants: layoutInOrder(Object.entries(experiment.variants).map(([n, v]) => [n, v.weight])),
        pins,
        pinChoices: new Map(
          [...pins].map(([variant, name]) => [
            variant,
            choiceOf(
              name,
              { kind: "experiment", experiment: experiment.name, variant },
              "experiment",
            ),
          ]),
        ),
      };
    }),
    exposeVersionHeader: config.exposeVersionHeader,
    forwardedFor: config.forwardedFor,
    isError: compileErrorStatuses(config.errorStatuses),
    mirror: compileMirror(config.mirror, versions),
  };
}

function choiceOf(name: string, reason: Reason, outcomeRoute: string): Choice {
  return Object.freeze({ name, reason: Object.freeze(reason), outcomeRoute });
}

/** One choice per version, all for the same reason. */
function choicesFor(names: Iterable<string>, reason: Reason, outcomeRoute: string) {
  return new Map([...names].map((name) => [name, choiceOf(name, reason, outcomeRoute)]));
}

/**
 * Error-status predicates by their patterns, shared: most services keep the default list, and an
 * isolate holding 10,000 services would otherwise hold 10,000 copies of one predicate (a closure
 * and two sets each, ~300 bytes: docs/scale.md). Bounded, as configs are many and lists few.
 */
const errorPredicates = new Map<string, (status: number) => boolean>();
const MAX_SHARED_ERROR_PREDICATES = 64;

/** "5xx" covers 500..599; "429" is exact. */
function compileErrorStatuses(patterns: readonly string[]): (status: number) => boolean {
  const key = patterns.join(",");
  const shared = errorPredicates.get(key);
  if (shared) return shared;
  const classes = new Set(patterns.filter((p) => p.endsWith("xx")).map((p) => Number(p[0])));
  const exact = new Set(patterns.filter((p) => !p.endsWith("xx")).map(Number));
  const isError = (status: number) => classes.has(Math.floor(status / 100)) || exact.has(status);
  if (errorPredicates.size < MAX_SHARED_ERROR_PREDICATES) errorPredicates.set(key, isError);
  return isError;
}

function compileSticky(config: Service): StickyKey {
  const { by, cookie, maxAgeSeconds } = config.sticky;
  // A group's services share the visitor cookie (on a shared host), as they share the salt.
  const fallback = `ks_${config.sticky.group ?? config.name}`;
  if (by === "cookie") return { by, cookie: cookie ?? fallback, maxAgeSeconds };
  if (by === "ip" || by === "none") return { by };
  return { by: "header", header: by.slice("header:".length).toLowerCase() };
}

/** The service serving a host and path: exact host before wildcard, longest pathPrefix first. */
export function findService(
  table: RouteTable,
  host: string,
  path: string,
): CompiledService | undefined {
  const exact = pickByPrefix(table.exactHosts.get(host), path);
  if (exact) return exact;
  // Most specific wildcard first: for a.b.shop.example.com try .b.shop.example.com, then .shop.example.com…
  // Only suffixes no longer than the longest wildcard held: a host of thousands of labels would
  // otherwise cost a look-up (hashing the rest of the host) per label, quadratic in its length.
  const first = host.indexOf(".", Math.max(0, host.length - table.longestWildcard));
  for (let dot = first; dot >= 0; dot = host.indexOf(".", dot + 1)) {
    const match = pickByPrefix(table.wildcardHosts.get(host.slice(dot)), path);
    if (match) return match;
  }
  return undefined;
}

function pickByPrefix(entries: HostEntry[] | undefined, path: string): CompiledService | undefined {
  if (!entries) return undefined;
  for (const entry of entries) {
    if (prefixCovers(entry.pathPrefix, path)) return entry.service;
  }
  return undefined;
}
