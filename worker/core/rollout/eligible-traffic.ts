// Which traffic a rollout step's analysis can count, in words. A step whose candidate gets no
// public share (blue/green's first check, a step at 0 %) counts only rules the operator named
// (analysis.countRules) and, for blue/green, override tokens: with neither, it holds for ever.
// validate warns of such a policy, a verdict that holds says what would count and how to send it,
// and a step that has counted nothing for long says so (rollout status, rollout.noTraffic).
import type { Condition } from "../../../schemas/condition.ts";
import type { Analysis } from "../../../schemas/rollout.ts";
import type { RolloutState } from "../../../schemas/rollout-state.ts";
import type { Rule, Service } from "../../../schemas/service.ts";
import { candidateOf } from "./commands.ts";
import { stepsOf } from "./steps.ts";

/** A step that has counted no request for this long is reported (once per step, and in status). */
export const NO_TRAFFIC_AFTER_MS = 10 * 60_000;

/** A warning about a config that is valid but will not do what its author expects. */
export interface ConfigWarning {
  /** Relative to the service. */
  path: (string | number)[];
  message: string;
}

/** Rules that can send a request to `version`: routing to it, or splitting part of it there. */
function rulesReaching(config: Service, version: string): Rule[] {
  return config.rules.filter((rule) => rule.route === version || (rule.split?.[version] ?? 0) > 0);
}

/**
 * Whether any client can meet a condition at will. Headers, cookies, query, path and method are
 * the client's to send, and a country or colo is a VPN away; only the client's IP range or its
 * network (ASN) keeps strangers out.
 */
export function openToAnyone(when: Condition): boolean {
  if (when.ip || when.asn) return false;
  if (when.all?.some((part) => !openToAnyone(part))) return false;
  if (when.any?.every((part) => !openToAnyone(part))) return false;
  return true;
}

/** The rules named in analysis.countRules that can reach `candidate`. */
function countedRulesReaching(config: Service, candidate: string): Rule[] {
  const counted = new Set(config.rollout?.analysis.countRules ?? []);
  return rulesReaching(config, candidate).filter((rule) => counted.has(rule.name));
}

/** Whether a window needs requests to pass (the threshold judge at minRequests 0 does not). */
function needsRequests(analysis: Analysis): boolean {
  return analysis.judge === "statistical" || analysis.minRequests > 0;
}

const names = (rules: Rule[]) => rules.map((rule) => `"${rule.name}"`).join(", ");

/** What a step with the candidate at 0 % counts, and what would let it count something. */
function zeroShare(config: Service, candidate: string, blueGreenPreview: boolean): string {
  const counted = countedRulesReaching(config, candidate);
  const uncounted = rulesReaching(config, candidate).filter((rule) => !counted.includes(rule));
  const rules =
    counted.length > 0
      ? `rule${counted.length === 1 ? "" : "s"} ${names(counted)} (named in analysis.countRules)`
      : `rules named in analysis.countRules that route to ${candidate} (none does${uncounted.length > 0 ? `: ${names(uncounted)} ${uncounted.length === 1 ? "is" : "are"} not named there` : ""})`;
  if (!blueGreenPreview)
    return `${candidate} is at 0 % in this step, so its window counts only ${rules}: give the step a weight, or name a rule that routes to ${candidate} in analysis.countRules`;
  return `${candidate} is at 0 %, so this check counts only preview traffic: requests with an override token (keystone override-token ${config.name} ${candidate}) and ${rules}; send preview requests with an override token, or name a preview rule only your team can reach in analysis.countRules`;
}

/**
 * What a holding verdict adds when the candidate has no public share in this step: what its
 * window counts, and how to send it some. Undefined when the split gives the candidate traffic.
 */
export function zeroShareHint(config: Service, state: RolloutState): string | undefined {
  if (state.weight > 0) return undefined;
  const preview = state.strategy === "blueGreen" && state.stepIndex === 0;
  return zeroShare(config, state.candidate, preview);
}

/**
 * "No eligible traffic" once the step has counted no request for NO_TRAFFIC_AFTER_MS: how long,
 * where, and what the window counts. Null while traffic comes, or before then.
 */
export function noTrafficSentence(
  config: Service,
  state: RolloutState,
  counted: number,
  now: number,
): string | null {
  const waited = now - state.stepStartedAt;
  if (state.phase !== "progressing" || counted > 0 || waited < NO_TRAFFIC_AFTER_MS) return null;
  const where = `step ${state.stepIndex + 1} of ${state.stepCount} at ${state.weight}%`;
  const head = `no eligible traffic for ${Math.floor(waited / 60_000)}m in ${where}`;
  const hint = zeroShareHint(config, state);
  if (hint) return `${head}: ${hint}`;
  return `${head}: the split sends ${state.candidate} ${state.weight}% of requests to ${config.hosts.join(", ")}, and none was counted: are requests reaching the service?`;
}

/**
 * A policy whose step can never count a request, and counted rules any client can steer: each
 * with the path to fix. Advice, not errors: the config is valid and applies.
 */
export function progressWarnings(config: Service): ConfigWarning[] {
  const policy = config.rollout;
  const candidate = candidateOf(config);
  if (!policy || !candidate) return [];
  const warnings: ConfigWarning[] = [];
  const reachable = countedRulesReaching(config, candidate).length > 0;
  if (needsRequests(policy.analysis) && !reachable) {
    stepsOf(policy).forEach((step, i) => {
      if (step.kind !== "weight" || step.weight > 0) return;
      const preview = policy.strategy === "blueGreen" && i === 0;
      const path = policy.strategy === "canary" ? ["rollout", "steps", i] : ["rollout"];
      const what = preview ? "blue/green's first check" : `step ${i + 1}`;
      warnings.push({
        path,
        message: `${what} may never pass: ${zeroShare(config, candidate, preview)}${preview ? "" : ` (it holds at ${policy.analysis.minRequests} requests needed)`}`,
      });
    });
  }
  (policy.analysis.countRules ?? []).forEach((name, i) => {
    const rule = config.rules.find((r) => r.name === name);
    if (!rule || !openToAnyone(rule.when)) return;
    warnings.push({
      path: ["rollout", "analysis", "countRules", i],
      message: `rule "${name}" is counted by the analysis, and any client can match it: whoever sends such requests can pass or fail the check; require the client's IP range (ip) or network (asn) in its condition, or leave it out of countRules`,
    });
  });
  return warnings;
}
