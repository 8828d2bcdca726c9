// `explain`: the data plane's own decision for a described request, with the reasons spelled out
// (version pins, a regional wave's place, a track group's shared bucket, each in words), and
// the explain endpoint: the service a request names (or its host finds), explained as the
// isolates would route it now: the effective config (a rollout's weights applied), the published
// pin scope and wave, and any fast-abort halt.
import type { ExplainBody } from "../../schemas/api.ts";
import { type ExplainResult, ServiceRecord } from "../../schemas/api-responses.ts";
import type { LiveRouting } from "../../schemas/live-routing.ts";
import { RolloutState } from "../../schemas/rollout-state.ts";
import { serviceKey } from "../../schemas/route-doc-format.ts";
import { ROUTES_KEY, RoutesDocEnvelope, ServiceDocEnvelope } from "../../schemas/routes-doc.ts";
import type { Service } from "../../schemas/service.ts";
import type { HaltSignal } from "../../schemas/stats.ts";
import { knownServiceObjectOf, statsObjectOf } from "../contracts.ts";
import { compileRouteTable, compileService, findService } from "../core/compile.ts";
import { decideForService, type Reason, type Verdict } from "../core/decide.ts";
import { factsFromDescription, type RequestDescription, type RequestFacts } from "../core/facts.ts";
import { type BucketKey, bucketKeyOf } from "../core/hash.ts";
import type { BucketRange } from "../core/layout.ts";
import { liveRoutingOf } from "../core/ledger/live-routing.ts";
import { loadRegexEngine } from "../core/regex-engine.ts";
import { effectiveConfig } from "../core/rollout/effective.ts";
import { VISITOR_HEADER } from "../core/visitor-token.ts";
import { describeWhere } from "../core/wave.ts";
import { hostnameOf } from "../data-plane/request-target.ts";
import type { Env } from "../env.ts";
import type { Handlers } from "./endpoints.ts";
import { ApiError, parseRpc } from "./errors.ts";
import { liveServices } from "./service-record.ts";

/** What the isolates know beside the config: the pin scope and wave as published, the pin key. */
export interface ExplainContext {
  live?: LiveRouting | undefined;
  affinitySecret?: string | undefined;
  /** The isolates' visitor hash key (BUCKET_SECRET): explain places visitors as they do. */
  bucketKey?: BucketKey | undefined;
}

function explainRequest(
  config: Service,
  request: Omit<RequestDescription, "host"> & { host?: string | undefined },
  now: number,
  overrideSecret: string | undefined,
  context: ExplainContext = {},
): ExplainResult {
  const service = compileService(config, 0, context.live, context.bucketKey);
  const facts = factsFromDescription({
    ...request,
    host: request.host ?? config.hosts[0]!.replace(/^\*\./, "x."),
  });
  const verdict = decideForService(facts, service, {
    now,
    overrideSecret,
    affinitySecret: context.affinitySecret,
    mintVisitorId: () => crypto.randomUUID(),
  });
  return {
    service: config.name,
    version: verdict.version.name,
    release: verdict.version.release ?? null,
    // Times leave the API as ISO-8601: an override's or a pin's expiry is the time a reason carries.
    reason:
      verdict.reason.kind === "override" || verdict.reason.kind === "affinity"
        ? { ...verdict.reason, expiresAt: new Date(verdict.reason.expiresAt).toISOString() }
        : { ...verdict.reason },
    bucket: verdict.bucket,
    visitor: verdict.visitorSource,
    group: service.group ?? null,
    experiments: verdict.experiments,
    why: [...reasons(verdict, facts), ...visitorsWhy(verdict, context.live)],
  };
}

function rangeText(ranges: BucketRange[], name: string): string {
  const range = ranges.find((r) => r.name === name);
  return range ? `${range.start}–${range.end - 1} (${(range.end - range.start) / 100}%)` : "none";
}

function reasons(verdict: Verdict, facts: RequestFacts): string[] {
  const { service, reason, bucket, version } = verdict;
  const lines = [visitorLine(verdict, facts)];
  switch (reason.kind) {
    case "override":
      lines.push(
        `a valid override token forces ${version.name} until ${new Date(reason.expiresAt).toISOString()}`,
      );
      break;
    case "rule": {
      const rule = service.rules.find((r) => r.name === reason.rule)!;
      lines.push(
        reason.split
          ? `rule "${reason.rule}" matched; its split puts bucket ${bucket} in ${version.name}'s range ${rangeText(rule.ranges!, version.name)}`
          : `rule "${reason.rule}" matched and routes to ${version.name}`,
      );
      break;
    }
    case "experiment":
      lines.push(
        `no rule matched; experiment "${reason.experiment}" variant "${reason.variant}" pins ${version.name}`,
      );
      break;
    case "halted":
      lines.push(`${reason.from} is halted (its rollout ended badly): sent to the baseline`);
      break;
    case "split":
      lines.push(
        `no rule matched; bucket ${bucket} falls in ${version.name}'s range ${rangeText(service.ranges, version.name)} of the split`,
      );
      break;
    default:
      lines.push(splitStageLine(verdict, reason));
  }
  for (const e of verdict.experiments)
    lines.push(`experiment "${e.name}": variant "${e.variant}" (bucket ${e.bucket})`);
  return lines;
}

function visitorLine(verdict: Verdict, facts: RequestFacts): string {
  const sticky = verdict.service.sticky;
  const sent = sticky.by === "cookie" ? facts.cookie(sticky.cookie) : null;
  if (verdict.visitorSource === "minted" && sent !== null && sticky.by === "cookie")
    return `cookie ${sticky.cookie} is present but "${sent.slice(0, 80)}" is not a valid Keystone visitor id (8-64 letters, digits or dashes): it is re-minted, so the bucket below is one example`;
  switch (verdict.visitorSource) {
    case "cookie":
      return `visitor identified by cookie ${sticky.by === "cookie" ? sticky.cookie : ""}`.trim();
    case "header":
      return `visitor identified by header ${sticky.by === "header" ? sticky.header : ""}`.trim();
    case "ip":
      return "visitor identified by client IP";
    case "minted":
      return `no ${sticky.by === "cookie" ? sticky.cookie : ""} cookie: a new visitor gets a random id, so the bucket below is one example`;
    case "random":
      return "no visitor key (stickiness off or key absent): each request is bucketed at random";
    case "group":
      return `visitor identified by a signed ${VISITOR_HEADER} of group "${verdict.service.group}" (forwarded by another service's origin)`;
  }
}

/** The line for a split-stage reason other than the plain split. */
function splitStageLine(verdict: Verdict, reason: Reason): string {
  const { service, version } = verdict;
  if (reason.kind === "affinity")
    return `no rule matched; the visitor's version pin keeps ${version.name} until ${new Date(reason.expiresAt).toISOString()} (sticky.affinity), whatever the weights`;
  if (reason.kind === "wave-outside")
    return `no rule matched; the rollout's step is limited to a place this request is outside: it stays on ${service.baseline}`;
  return `routed to ${version.name}`;
}

/** Lines on the wave in force and the track group, when the service has them. */
function visitorsWhy(verdict: Verdict, live: LiveRouting | undefined): string[] {
  const lines: string[] = [];
  if (live?.wave)
    lines.push(`the rollout's current step is a regional wave: ${describeWhere(live.wave)}`);
  const group = verdict.service.group;
  if (group)
    lines.push(
      `group "${group}": bucket ${verdict.bucket} is shared by every service of the group (salt "${group}"), so with equal weights the visitor is on the same track in each`,
    );
  return lines;
}

// A version halted by a rollout that ended badly is diverted to the baseline by every isolate whose
// table still holds the service below the halt's sequence. Explain says so, and answers as those
// isolates do, while the published table is below it.

/** The sequence KV holds the service at (-1: not there): its own key, or an older registry's document. */
async function publishedSequence(env: Env, service: string): Promise<number> {
  const own = await env.ROUTES.get(serviceKey(service), "text");
  if (own !== null) {
    const doc = ServiceDocEnvelope.safeParse(safeJson(own));
    const sequence = doc.success ? (doc.data.entry as { sequence?: unknown })?.sequence : undefined;
    return typeof sequence === "number" ? sequence : -1;
  }
  const raw = await env.ROUTES.get(ROUTES_KEY, "text");
  const doc = raw === null ? undefined : RoutesDocEnvelope.safeParse(safeJson(raw));
  if (!doc?.success) return -1;
  for (const entry of doc.data.services) {
    const { name, sequence } = (entry ?? {}) as { name?: unknown; sequence?: unknown };
    if (name === service) return typeof sequence === "number" ? sequence : 0;
  }
  return -1;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The explanation as the isolates would answer it under a halt holding now. */
function applyHalt(
  result: ExplainResult,
  config: Service,
  halt: HaltSignal | null,
  published: number,
): ExplainResult {
  if (!halt || result.version === config.baseline || published >= halt.sequence) return result;
  return {
    ...result,
    version: config.baseline,
    release: config.versions[config.baseline]?.release ?? null,
    reason: { kind: "halted", from: result.version, rolloutId: halt.rolloutId },
    why: [
      ...result.why,
      `${result.version} is halted: rollout ${halt.rolloutId} ended badly; isolates holding this service below sequence ${halt.sequence} (KV has ${published}) send its traffic to ${config.baseline}`,
    ],
  };
}

async function explainWithHalt(
  env: Env,
  config: Service,
  result: ExplainResult,
): Promise<ExplainResult> {
  if (result.version === config.baseline) return result;
  const stats = statsObjectOf(env, config.name, result.version);
  const halt = await stats.currentHalt();
  if (!halt) return result;
  return applyHalt(result, config, halt, await publishedSequence(env, config.name));
}

/** The service's name: given, or the one serving the request's host and path. */
async function serviceNamed(env: Env, body: ExplainBody): Promise<string | undefined> {
  if (body.service) return body.service;
  const host = body.request.host;
  if (!host)
    throw new ApiError("invalid", "name a service or a request host", [
      { path: "request.host", message: "required without service" },
    ]);
  const table = compileRouteTable((await liveServices(env)).map((e) => e.config));
  return findService(table, hostnameOf(host.toLowerCase()), body.request.path ?? "/")?.name;
}

/**
 * A service named beside a request host that the data plane gives to another service (or to
 * none, a 404): said first, since the answer below is not what that request gets.
 */
async function hostElsewhere(env: Env, body: ExplainBody, name: string): Promise<string | null> {
  const host = body.request.host;
  if (!body.service || !host) return null;
  const path = body.request.path ?? "/";
  const table = compileRouteTable((await liveServices(env)).map((e) => e.config));
  const routed = findService(table, hostnameOf(host.toLowerCase()), path)?.name;
  if (routed === name) return null;
  const asIf = `what follows is ${name} as if it served it`;
  return routed
    ? `not what ${host}${path} gets: the data plane sends it to service "${routed}"; ${asIf}`
    : `not what ${host}${path} gets: no service serves it, so the data plane answers 404; ${asIf}`;
}

export const explainHandlers = {
  async explain({ body }, c) {
    // Explaining compiles the service's rules as the isolates do: RE2 for their other patterns.
    await loadRegexEngine();
    const name = await serviceNamed(c.env, body);
    const object = name ? await knownServiceObjectOf(c.env, name) : undefined;
    const record =
      name && object
        ? parseRpc(ServiceRecord.nullable(), await object.record(), `service "${name}"`)
        : null;
    if (!record || !object)
      throw new ApiError(
        "not_found",
        `no service ${body.service ? `named "${body.service}"` : `serves ${body.request.host}`}`,
      );
    const rollout = parseRpc(
      RolloutState.nullable(),
      await object.rolloutState(),
      `the rollout of "${record.name}"`,
    );
    const config = effectiveConfig(record.config, rollout);
    const result = explainRequest(config, body.request, Date.now(), c.env.OVERRIDE_SECRET, {
      live: liveRoutingOf(record.config, rollout),
      affinitySecret: c.env.AFFINITY_SECRET,
      bucketKey: bucketKeyOf(c.env.BUCKET_SECRET),
    });
    const elsewhere = await hostElsewhere(c.env, body, record.name);
    return explainWithHalt(
      c.env,
      config,
      elsewhere ? { ...result, why: [elsewhere, ...result.why] } : result,
    );
  },
} satisfies Partial<Handlers>;
