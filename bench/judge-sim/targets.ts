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
  // Over every bad run of every scenario: the requests it took to roll back, a run never rolled
  // back counting the whole hour's requests (which favours the judge that misses).
  const mean = (which: "strict" | "tunedOnce" | "tuned") =>
    bad.reduce((sum, row) => sum + row[which].cappedRequests, 0) /
    bad.reduce((sum, row) => sum + row[which].runs, 0);
  const [strictMean, onceMean, levelMean] = [mean("strict"), mean("tunedOnce"), mean("tuned")];
  const fewerOverall = strictMean < onceMean && strictMean < levelMean;
  const mark = (pass: boolean) => (pass ? "met" : "NOT MET");
  const ok = worstFalse <= 0.01 && worstDetection >= 0.95 && fewerOverall;
  const round = (n: number) => Math.round(n).toLocaleString("en-US");
  const lines = [
    `false rollbacks ≤ 1 % (both configurations, every healthy scenario): worst ${(worstFalse * 100).toFixed(1)} % → ${mark(worstFalse <= 0.01)}`,
    `+3 pp at 1 % baseline detected in ≥ 95 % (defaults): worst traffic level ${(worstDetection * 100).toFixed(1)} % → ${mark(worstDetection >= 0.95)}`,
    `fewer requests than the threshold judge at the same false-rollback rate, mean over all bad runs: statistical ${round(strictMean)}, tuned once ${round(onceMean)}, tuned per level ${round(levelMean)} → ${mark(fewerOverall)}`,
    `  per scenario (median minutes), against tuned once: fewer in ${fewer.length}, the same in ${same.length}, more in ${more.length} of ${bad.length}`,
    ...more.map((row) => `    more: ${row.scenario.group}, ${row.scenario.name}`),
    `  against tuned per level (an oracle): fewer in ${oracle.fewer.length}, the same in ${oracle.same.length}, more in ${oracle.more.length}`,
    ...oracle.more.map((row) => `    more: ${row.scenario.group}, ${row.scenario.name}`),
  ];
  return { lines, ok };
}
