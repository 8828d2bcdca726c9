// The brief's targets for judge:sim, checked against the measured rows.
import { buildRows, type Row } from "./report.ts";
import type { RunRecord } from "./run-scenario.ts";
import type { Scenario } from "./scenarios.ts";

export function verdictOnTargets(all: Scenario[], records: RunRecord[][]) {
  const rows = buildRows(all, records);
  const healthy = rows.filter((row) => row.scenario.healthy);
  const worstFalse = Math.max(...healthy.map((row) => row.statistical.rate));
  const threePp = rows.filter(
    (row) => row.scenario.name === "+3 pp errors" && row.scenario.baselineErrorRate === 0.01,
  );
  const worstDetection = Math.min(...threePp.map((row) => row.statistical.rate));
  const bad = rows.filter((row) => !row.scenario.healthy);
  const requests = (row: Row, which: "statistical" | "tuned") =>
    row[which].medianRequests ?? Number.POSITIVE_INFINITY;
  const fewer = bad.filter((row) => requests(row, "statistical") < requests(row, "tuned"));
  const same = bad.filter((row) => requests(row, "statistical") === requests(row, "tuned"));
  const more = bad.filter((row) => requests(row, "statistical") > requests(row, "tuned"));
  const mark = (pass: boolean) => (pass ? "met" : "NOT MET");
  const lines = [
    `false rollbacks ≤ 1 %: worst healthy scenario ${(worstFalse * 100).toFixed(1)} % → ${mark(worstFalse <= 0.01)}`,
    `+3 pp at 1 % baseline detected in ≥ 95 %: worst traffic level ${(worstDetection * 100).toFixed(1)} % → ${mark(worstDetection >= 0.95)}`,
    `fewer requests than the tuned threshold judge: fewer in ${fewer.length}, the same in ${same.length}, more in ${more.length} of ${bad.length} bad scenarios → ${mark(more.length === 0 && fewer.length > 0)}`,
    ...more.map((row) => `  more: ${row.scenario.group}, ${row.scenario.name}`),
  ];
  return { rows, lines, ok: worstFalse <= 0.01 && worstDetection >= 0.95 && more.length === 0 };
}
