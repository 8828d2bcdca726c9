// The compiled form of published config: what the data plane consults per request.
import type { PinScope } from "./affinity.ts";
import type { BucketSeed } from "./hash.ts";
import type { BucketRange } from "./layout.ts";
import type { Predicate } from "./matchers.ts";
import type { CompiledCompare } from "./mirror/compare.ts";
import type { Reason } from "./reason.ts";

export interface CompiledVersion {
  name: string;
  /** The origin as configured (an OriginUrl: no query, fragment or credentials). */
  origin: string;
  /** The origin's own path without a trailing slash ("" for none): the request path goes after it. */
  basePath: string;
  /** Scheme, host, port and base path ("https://eu.example.com/shop"): the request path goes after it. */
  originPrefix: string;
  release: string | undefined;
  timeoutMs: number;
}

export type StickyKey =
  | { by: "cookie"; cookie: string; maxAgeSeconds: number }
  | { by: "header"; header: string }
  | { by: "ip" }
  | { by: "none" };

/**
 * A routing outcome fixed when the config is compiled (the version, why, how it is recorded), so a
 * decision allocates none of it. Shared between requests: read only.
 */
export interface Choice {
  name: string;
  reason: Reason;
  outcomeRoute: string;
}

export interface CompiledRule {
  name: string;
  /** "rule:<name>", the outcome route of requests it routes (built once, not per request). */
  outcomeRoute: string;
  matches: Predicate;
  /** A fixed version, or a split of its own over the visitor's bucket. */
  route: string | undefined;
  ranges: BucketRange[] | undefined;
  /** The rule's choice for each version it can route to. */
  choices: Map<string, Choice>;
}

export interface CompiledExperiment {
  name: string;
  matches: Predicate | undefined;
  /** Hash seed of "<service>/<experiment>": variants are bucketed independently of the split. */
  seed: BucketSeed;
  variants: BucketRange[];
  /** Variant → pinned version, for variants that pin one. */
  pins: Map<string, string>;
  /** Variant → the choice of its pinned version. */
  pinChoices: Map<string, Choice>;
}

/** Version affinity (sticky.affinity) with the table's pin scope. */
export interface CompiledAffinity {
  maxAgeSeconds: number;
  /** The pin cookie (ks_pin_<service>). */
  cookie: string;
  scope: PinScope;
  /** Past this a presented pin is refused unread: longer than any this service's pins. */
  maxPinLength: number;
}

export interface CompiledService {
  name: string;
  /**
   * The config's hosts and path prefix, for the table's host index. The decoded config itself is
   * not kept: at 10,000 services an isolate would hold every one twice (docs/scale.md).
   */
  hosts: readonly string[];
  pathPrefix: string;
  /**
   * Requests a visitor (or client address, at 10×) counts toward a step's analysis in one isolate;
   * undefined when the service has no rollout policy, so nothing is analysed.
   */
  visitorLimit: number | undefined;
  /** The publication sequence of this service's entry (halts lift at or above theirs). */
  sequence: number;
  /** Hash seed of the service's salt (its name, or its sticky.group's, fixed for its life). */
  seed: BucketSeed;
  /** sticky.group: services naming it share the visitor key and the salt. */
  group: string | undefined;
  /** Undefined: version affinity is off. */
  affinity: CompiledAffinity | undefined;
  /** The current rollout step's place (a regional wave); undefined: everyone. */
  wave: Predicate | undefined;
  versions: Map<string, CompiledVersion>;
  baseline: string;
  ranges: BucketRange[];
  /** The split's choice for each version. */
  splitChoices: Map<string, Choice>;
  /** Non-baseline versions, candidate first: the order ranges are laid from the top. */
  topOrder: string[];
  sticky: StickyKey;
  rules: CompiledRule[];
  experiments: CompiledExperiment[];
  exposeVersionHeader: boolean;
  forwardedFor: "append" | "replace";
  /** Whether an origin status counts as an error (errorStatuses, compiled). */
  isError: (status: number) => boolean;
  /** Shadow traffic: where sampled requests are copied, and how responses are compared. */
  mirror: CompiledMirror | undefined;
}

/** A service's mirror, compiled (worker/core/mirror/compile-mirror.ts). */
export interface CompiledMirror {
  version: CompiledVersion;
  /** The sampled share of requests, 0..1. */
  share: number;
  methods: ReadonlySet<string>;
  withBody: boolean;
  timeoutMs: number;
  compare: CompiledCompare;
}

export interface HostEntry {
  pathPrefix: string;
  service: CompiledService;
}

export interface RouteTable {
  generation: number;
  services: Map<string, CompiledService>;
  /** Exact host → entries, longest pathPrefix first. */
  exactHosts: Map<string, HostEntry[]>;
  /** Wildcard suffix (".shop.example.com") → entries, longest pathPrefix first. */
  wildcardHosts: Map<string, HostEntry[]>;
  /**
   * At least the length of the longest wildcard suffix held (kept when its service leaves): no
   * longer suffix of a request's host is looked up.
   */
  longestWildcard: number;
}
