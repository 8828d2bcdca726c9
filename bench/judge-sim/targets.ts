// The brief's targets for judge:sim, checked against the measured rows.
import type { Row } from "./report.ts";

export function verdictOnTargets(rows: Row[]) {
  const healthy = rows.filter((row) => row.scenario.healthy);
  const worstFalse = Math.max(...healthy.flatMap((row) => [row.statistical.rate, row.strict.rate]));
  const threePp = rows.filter(
    (row) => row.scenario.name === "+3 pp errors" && row.scenario.baselineErrorRate === 0.01,
  );
  const worstDetection = Math.min(...threePp.map((row) => row.statistical.rate));
  const bad = rows.filter((row) => !row.scenario.healthy);
  // By median minutes: the runs are the same for both, so at one minute apart the requests are
  // one minute of traffic apart, and the same minute is a tie whatever the sampling noise.
  const requests = (row: Row, which: "strict" | "tunedOnce" | "tuned") =>
    row[which].medianMinutes ?? Number.POSITIVE_INFINITY;
  const compare = (against: "tunedOnce" | "tuned") => ({
    fewer: bad.filter((row) => requests(row, "strict") < requests(row, against)),
    same: bad.filter((row) => requests(row, "strict") === requests(row, against)),
    more: bad.filter((row) => requests(row, "strict") > requests(row, against)),
  });
  const { fewer, same, more } = compare("tunedOnce");
  const oracle = compare("tuned");
  const mark = (pass: boolean) => (pass ? "met" : "NOT MET");
  const ok = worstFalse <= 0.01 && worstDetection >= 0.95 && more.length === 0;
  const lines = [
    `false rollbacks ≤ 1 % (both configurations, every healthy scenario): worst ${(worstFalse * 100).toFixed(1)} % → ${mark(worstFalse <= 0.01)}`,
    `+3 pp at 1 % baseline detected in ≥ 95 % (defaults): worst traffic level ${(worstDetection * 100).toFixed(1)} % → ${mark(worstDetection >= 0.95)}`,
    `fewer requests than the threshold judge tuned once to the same false-rollback rate: fewer in ${fewer.length}, the same in ${same.length}, more in ${more.length} of ${bad.length} → ${mark(more.length === 0)}`,
    ...more.map((row) => `  more: ${row.scenario.group}, ${row.scenario.name}`),
    `(against limits tuned per traffic level, an oracle: fewer in ${oracle.fewer.length}, the same in ${oracle.same.length}, more in ${oracle.more.length})`,
    ...oracle.more.map((row) => `  more: ${row.scenario.group}, ${row.scenario.name}`),
  ];
  return { lines, ok };
}
