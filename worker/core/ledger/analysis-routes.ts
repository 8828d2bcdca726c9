// Which outcome routes a rollout's analysis counts. By default only traffic the split (or an
// experiment pin) assigned, so requests a client forces (header rules, override tokens) can
// neither fail a healthy candidate nor dilute a failing one; a policy opts named rules in, and
// blue/green's first check adds override tokens.
import type { RolloutState } from "../../../schemas/rollout-state.ts";
import type { Service } from "../../../schemas/service.ts";
import type { OutcomeRoute } from "../../../schemas/stats.ts";

export function countedRoutes(config: Service, state: RolloutState): OutcomeRoute[] {
  const routes: OutcomeRoute[] = ["split", "experiment"];
  // A version pin holds the version the split gave: that traffic is the split's. Requests outside
  // a regional wave's place ("wave-outside") are left out, so a wave is judged within its place.
  if (config.sticky.affinity) routes.push("affinity");
  for (const name of config.rollout?.analysis.countRules ?? []) routes.push(`rule:${name}`);
  // Blue/green's first check runs with the candidate at 0%: it has only preview traffic. Override
  // tokens are minted by an operator; a preview rule counts only when countRules names it (above),
  // so a public preview rule cannot decide the verdict.
  if (state.strategy === "blueGreen" && state.stepIndex === 0 && state.weight === 0)
    routes.push("override");
  return [...new Set(routes)];
}
