// How `rollout explain` shows verdicts to people: each with its time, step and the candidate's
// weight (before → after when it moved), what was decided, and every check in words with its
// numbers, in the words every other view uses (event-words.ts). Pure: verdicts in, lines out.
import type { Judgement } from "../schemas/judgement.ts";
import type { AnalysisTest } from "../schemas/metric-check.ts";
import type { RolloutVerdicts } from "../schemas/verdict-log.ts";
import { OUTCOME_NAMES, timeText, weightText } from "../worker/core/rollout/event-words.ts";
import type { Output, Style } from "./io.ts";

type Entry = RolloutVerdicts["verdicts"][number];

const COLOUR: Partial<Record<string, Style>> = {
  rollback: "red",
  failed: "red",
  abort: "red",
  pause: "yellow",
  inconclusive: "yellow",
  hold: "yellow",
  gate: "yellow",
  advance: "green",
  promote: "green",
};

/**
 * Every check of a judgement in words: the threshold limits, the statistical judge's tests, then
 * the rollout's own metrics.
 */
function judgementLines(judgement: Judgement): string[] {
  const statistical = judgement.statistical;
  const tests = statistical
    ? statistical.checks.length > 0
      ? statistical.checks.map((check) => check.sentence)
      : [statistical.summary]
    : [];
  const incomplete = judgement.leftOut?.clientIncomplete ?? 0;
  const limited = judgement.leftOut?.overVisitorLimit ?? 0;
  const requests = (n: number) => `${n} request${n === 1 ? "" : "s"}`;
  const leftOut = [
    ...(incomplete > 0
      ? [
          `left out: ${requests(incomplete)} the client did not finish (a stalled or abandoned upload), not the candidate's doing`,
        ]
      : []),
    ...(limited > 0
      ? [
          `left out: ${requests(limited)} past their visitor's share of the window (analysis.maxRequestsPerVisitor)`,
        ]
      : []),
  ];
  // The rollout's own metrics: each with its query as sent, so a number can be traced back.
  const metrics = (judgement.metrics ?? []).flatMap((check) => [
    check.sentence,
    `  query: ${check.query}`,
  ]);
  return [...judgement.thresholds.map((check) => check.sentence), ...tests, ...metrics, ...leftOut];
}

function entryLines(out: Output, entry: Entry): string[] {
  const { verdict } = entry;
  const outcome = out.paint(COLOUR[verdict.outcome] ?? "bold", OUTCOME_NAMES[verdict.outcome]);
  const weight = weightText(entry.weight, verdict.fromWeight);
  const head = `${timeText(verdict.at)}  step ${entry.step}  ${weight}  ${outcome}`;
  if (!verdict.judgement) return [head, `  ${verdict.reason}`];
  const lines = judgementLines(verdict.judgement).map((sentence) =>
    sentence.startsWith("  ") ? `  ${sentence}` : `  · ${sentence}`,
  );
  // After a passed window, what followed: an advance, or why it still holds (bake, gate, health).
  const decided = verdict.judgement.outcome === "pass" ? [`  → ${verdict.reason}`] : [];
  return [head, ...lines, ...decided];
}

export function renderVerdicts(out: Output, view: RolloutVerdicts): string[] {
  const first = view.verdicts[0];
  if (!first) return [`${view.service}: no rollout verdicts yet`];
  const judge = view.judge ? `, ${view.judge} judge` : "";
  const count = view.verdicts.length;
  return [
    out.paint(
      "bold",
      `${view.service}: rollout ${first.rolloutId} of ${first.candidate} against ${first.baseline}${judge} — last ${count} verdict${count === 1 ? "" : "s"}`,
    ),
    ...view.verdicts.flatMap((entry) => ["", ...entryLines(out, entry)]),
  ];
}

/** `analysis test`: each metric measured now, its query, and what a tick would make of it. */
export function renderAnalysisTest(out: Output, result: AnalysisTest): string[] {
  return [
    out.paint(
      "bold",
      `${result.service}: ${result.candidate} against ${result.baseline} over the last ${result.window} — measured now, nothing acted on`,
    ),
    ...result.metrics.flatMap((check) => [`  · ${check.sentence}`, `    query: ${check.query}`]),
  ];
}
