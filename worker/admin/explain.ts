// `explain`: the data plane's own decision for a described request, with the reasons spelled out.
import type { ExplainResult } from "../../schemas/api-responses.ts";
import type { LiveRouting } from "../../schemas/live-routing.ts";
import type { Service } from "../../schemas/service.ts";
import { compileService } from "../core/compile.ts";
import { decideForService, type Verdict } from "../core/decide.ts";
import { factsFromDescription, type RequestDescription, type RequestFacts } from "../core/facts.ts";
import type { BucketKey } from "../core/hash.ts";
import type { BucketRange } from "../core/layout.ts";
import { VISITOR_HEADER } from "../core/visitor-token.ts";
import { splitStageLine, visitorsWhy } from "./explain-visitors.ts";

/** What the isolates know beside the config: the pin scope and wave as published, the pin key. */
export interface ExplainContext {
  live?: LiveRouting | undefined;
  affinitySecret?: string | undefined;
  /** The isolates' visitor hash key (BUCKET_SECRET): explain places visitors as they do. */
  bucketKey?: BucketKey | undefined;
}

export function explainRequest(
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
