// What both checks share: turning "estimate against a limit, at this information" into
// always-valid evidence, an outcome, and the words for it.
import type { CheckOutcome, SequentialEvidence } from "../../../schemas/judge.ts";
import { alwaysValidPValue, logMixtureLikelihoodRatio } from "./always-valid.ts";
import { confidence } from "./words.ts";

/** The false-alarm rate a check may spend and the spread τ of its mixture (always-valid.ts). */
export interface CheckLevel {
  alpha: number;
  tau: number;
}

/**
 * Evidence for z = (estimate − limit)/√variance: fail when "not worse than the limit" is rejected
 * at alpha, pass when "worse than the limit" is, inconclusive otherwise.
 */
export function weighEvidence(
  z: number,
  variance: number,
  { alpha, tau }: CheckLevel,
): { outcome: CheckOutcome; evidence: SequentialEvidence } {
  const pWorse = alwaysValidPValue(z, variance, tau);
  const pNotWorse = alwaysValidPValue(-z, variance, tau);
  const outcome: CheckOutcome =
    pWorse <= alpha ? "fail" : pNotWorse <= alpha ? "pass" : "inconclusive";
  return {
    outcome,
    evidence: {
      z,
      logLikelihoodRatio: logMixtureLikelihoodRatio(z, variance, tau),
      confidenceWorsePercent: 100 * (1 - pWorse),
      confidenceNotWorsePercent: 100 * (1 - pNotWorse),
      requiredConfidencePercent: 100 * (1 - alpha),
    },
  };
}

/** "99.3 % confidence it is worse than X → fail", or what was missing for a decision. */
export function conclusion(
  outcome: CheckOutcome,
  evidence: SequentialEvidence,
  worse: string,
  notWorse: string,
): string {
  const needed = confidence(evidence.requiredConfidencePercent);
  if (outcome === "fail")
    return `${confidence(evidence.confidenceWorsePercent)} confidence it is ${worse} → fail`;
  if (outcome === "pass")
    return `${confidence(evidence.confidenceNotWorsePercent)} confidence it is ${notWorse} → pass`;
  const leaning = evidence.z > 0;
  const best = leaning ? evidence.confidenceWorsePercent : evidence.confidenceNotWorsePercent;
  return `${confidence(best)} confidence it is ${leaning ? worse : notWorse}, ${needed} needed → inconclusive`;
}
