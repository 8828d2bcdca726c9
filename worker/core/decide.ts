// The routing decision: which version answers a request, and why. Pure: the caller passes the
// clock, the override secret and the visitor-id generator.
import { findService } from "./compile.ts";
import type { RequestFacts } from "./facts.ts";
import { bucketFor } from "./hash.ts";
import { nameAt } from "./layout.ts";
import { verifyOverride } from "./override.ts";
import type { Reason } from "./reason.ts";
import type { Choice, CompiledService, CompiledVersion, RouteTable } from "./route-table.ts";
import { decideSplit } from "./split-stage.ts";
import { MAX_KEY_LENGTH, readVisitor, signVisitor, VISITOR_HEADER } from "./visitor-token.ts";

const OVERRIDE_HEADER = "x-keystone-override";

export interface DecideContext {
  now: number;
  overrideSecret: string | undefined;
  /** Key of version pins and group visitor tokens; without it both are off. */
  affinitySecret?: string | undefined;
  /** A fresh random visitor id (used when the visitor has none, or stickiness is off). */
  mintVisitorId: () => string;
}

export type { Reason } from "./reason.ts";

export type VisitorSource = "cookie" | "header" | "ip" | "minted" | "random" | "group";

export interface ExperimentAssignment {
  name: string;
  variant: string;
  bucket: number;
}

export interface Verdict {
  service: CompiledService;
  version: CompiledVersion;
  reason: Reason;
  /** How the outcome is recorded (schemas/stats.ts OutcomeRoute): analysis counts only some. */
  outcomeRoute: string;
  /** The visitor's bucket in 0..9999 for this service's splits. */
  bucket: number;
  visitorSource: VisitorSource;
  /** The key the visitor was bucketed by (a cookie's id, a header's value, an IP, or minted). */
  visitorKey: string;
  /** The signed visitor key for the origin to forward (grouped services with a secret only). */
  visitorToken: string | undefined;
  /** The split (or a wave) placed the visitor: a version pin may be given for what it is served. */
  mayPin: boolean;
  experiments: ExperimentAssignment[];
  /** Set when a visitor id was minted for cookie stickiness and must be sent back. */
  setCookie: { name: string; value: string; maxAgeSeconds: number } | undefined;
}

/** The verdict for a request, or undefined when no service serves its host and path. */
export function decideRoute(
  facts: RequestFacts,
  table: RouteTable,
  ctx: DecideContext,
): Verdict | undefined {
  const service = findService(table, facts.host, facts.path);
  return service && decideForService(facts, service, ctx);
}

export function decideForService(
  facts: RequestFacts,
  service: CompiledService,
  ctx: DecideContext,
): Verdict {
  const visitor = groupVisitor(facts, service, ctx) ?? visitorKeyOf(facts, service, ctx);
  const bucket = bucketFor(service.seed, visitor.key);
  const experiments = assignExperiments(facts, service, visitor.key);
  const { name, reason, outcomeRoute } = chooseVersion(facts, service, ctx, bucket, experiments);
  return {
    service,
    version: service.versions.get(name)!,
    reason,
    outcomeRoute,
    bucket,
    visitorSource: visitor.source,
    visitorKey: visitor.key,
    visitorToken: visitorTokenOf(service, ctx, visitor),
    mayPin: reason.kind === "split" || reason.kind === "wave-outside",
    experiments,
    setCookie: visitor.setCookie,
  };
}

function chooseVersion(
  facts: RequestFacts,
  service: CompiledService,
  ctx: DecideContext,
  bucket: number,
  experiments: ExperimentAssignment[],
): Choice {
  const token = facts.header(OVERRIDE_HEADER);
  if (token !== null && ctx.overrideSecret) {
    const claim = verifyOverride(ctx.overrideSecret, token, ctx.now);
    if (claim && claim.service === service.name && service.versions.has(claim.version)) {
      return {
        name: claim.version,
        reason: { kind: "override", expiresAt: claim.expiresAt },
        outcomeRoute: "override",
      };
    }
  }
  for (const rule of service.rules) {
    if (!rule.matches(facts)) continue;
    return rule.choices.get(rule.route ?? nameAt(rule.ranges!, bucket))!;
  }
  for (const assignment of experiments) {
    for (const experiment of service.experiments) {
      if (experiment.name !== assignment.name) continue;
      const pinned = experiment.pinChoices.get(assignment.variant);
      if (pinned !== undefined) return pinned;
    }
  }
  return decideSplit(facts, service, ctx, bucket);
}

function assignExperiments(
  facts: RequestFacts,
  service: CompiledService,
  visitorKey: string,
): ExperimentAssignment[] {
  if (service.experiments.length === 0) return [];
  const assignments: ExperimentAssignment[] = [];
  for (const experiment of service.experiments) {
    if (experiment.matches && !experiment.matches(facts)) continue;
    const bucket = bucketFor(experiment.seed, visitorKey);
    assignments.push({
      name: experiment.name,
      variant: nameAt(experiment.variants, bucket),
      bucket,
    });
  }
  return assignments;
}

/** Visitor ids we mint are UUIDs; anything else in the cookie is re-minted. */
const VISITOR_ID = /^[A-Za-z0-9-]{8,64}$/;

/** Whether a sticky cookie's value is one Keystone keeps (else it mints a new one). */
function isVisitorId(value: string): boolean {
  return VISITOR_ID.test(value);
}

type Visitor = {
  key: string;
  source: VisitorSource;
  setCookie?: Verdict["setCookie"];
  token?: string;
};

/** A grouped service's visitor, as another service of the group signed it for its origin. */
function groupVisitor(
  facts: RequestFacts,
  service: CompiledService,
  ctx: DecideContext,
): Visitor | undefined {
  if (!service.group || !ctx.affinitySecret) return undefined;
  const token = facts.header(VISITOR_HEADER);
  const key = token === null ? undefined : readVisitor(ctx.affinitySecret, service.group, token);
  return key === undefined ? undefined : { key, source: "group", token: token! };
}

/** What a grouped service's origin forwards: the token it came with, or one signed now. */
function visitorTokenOf(service: CompiledService, ctx: DecideContext, visitor: Visitor) {
  if (!service.group || !ctx.affinitySecret) return undefined;
  return visitor.token ?? signVisitor(ctx.affinitySecret, service.group, visitor.key);
}

function visitorKeyOf(facts: RequestFacts, service: CompiledService, ctx: DecideContext): Visitor {
  const sticky = service.sticky;
  switch (sticky.by) {
    case "cookie": {
      const existing = facts.cookie(sticky.cookie);
      if (existing !== null && isVisitorId(existing)) return { key: existing, source: "cookie" };
      const minted = ctx.mintVisitorId();
      return {
        key: minted,
        source: "minted",
        setCookie: { name: sticky.cookie, value: minted, maxAgeSeconds: sticky.maxAgeSeconds },
      };
    }
    case "header": {
      const value = facts.header(sticky.header);
      // A value past the bound is no key: the per-visitor bound keeps every key it counts (up to
      // 50,000 a window), and a 100 KB one each would exhaust the isolate's memory.
      return value && value.length <= MAX_KEY_LENGTH
        ? { key: value, source: "header" }
        : { key: ctx.mintVisitorId(), source: "random" };
    }
    case "ip":
      return facts.ip
        ? { key: facts.ip, source: "ip" }
        : { key: ctx.mintVisitorId(), source: "random" };
    case "none":
      return { key: ctx.mintVisitorId(), source: "random" };
  }
}

/** What an isolate knows of halted versions, asked with the sequence its table holds the service at. */
export interface HaltedCheck {
  isHalted(service: string, version: string, tableSequence: number): boolean;
}

/**
 * A verdict for a version this isolate was told is halted (its rollout rolled back or aborted,
 * the new route table not here yet) goes to the baseline instead.
 */
export function divertHalted(verdict: Verdict, halts: HaltedCheck): Verdict {
  const { service, version } = verdict;
  if (version.name === service.baseline) return verdict;
  if (!halts.isHalted(service.name, version.name, service.sequence)) return verdict;
  return {
    ...verdict,
    version: service.versions.get(service.baseline)!,
    reason: { kind: "halted", from: version.name },
    outcomeRoute: "halted",
  };
}
