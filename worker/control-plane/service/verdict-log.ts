// The service object's verdict log: each new verdict of a rollout (a tick's or an operator's)
// with its judgement whole, written in the same transaction as the decision that made it, and
// bounded (the newest KEPT_VERDICTS), so judging every minute never grows storage without end.

import type { RolloutState } from "../../../schemas/rollout-state.ts";
import { VerdictEntry } from "../../../schemas/verdict-log.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS verdicts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  rollout_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  entry TEXT NOT NULL,
  UNIQUE (rollout_id, at)
);
`;

/** About a day of minute ticks: more than any explanation needs. */
const KEPT_VERDICTS = 1_500;

export class VerdictLog {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(SCHEMA);
  }

  /** Logs the rollout's last verdict unless it is logged already (same rollout, same time). */
  record(rollout: RolloutState | null): void {
    const verdict = rollout?.lastVerdict;
    if (!rollout || !verdict) return;
    const entry: VerdictEntry = {
      rolloutId: rollout.id,
      candidate: rollout.candidate,
      baseline: rollout.baseline,
      phase: rollout.phase,
      step: rollout.stepIndex + 1,
      weight: rollout.weight,
      verdict,
    };
    const inserted = this.#sql.exec(
      "INSERT OR IGNORE INTO verdicts (rollout_id, at, entry) VALUES (?, ?, ?)",
      rollout.id,
      verdict.at,
      JSON.stringify(entry),
    );
    if (inserted.rowsWritten > 0)
      this.#sql.exec(
        "DELETE FROM verdicts WHERE id <= (SELECT MAX(id) FROM verdicts) - ?",
        KEPT_VERDICTS,
      );
  }

  /** The last `limit` verdicts of one rollout, oldest first; ones that no longer parse are skipped. */
  last(rolloutId: string, limit: number): VerdictEntry[] {
    return this.#sql
      .exec(
        "SELECT entry FROM verdicts WHERE rollout_id = ? ORDER BY id DESC LIMIT ?",
        rolloutId,
        limit,
      )
      .toArray()
      .reverse()
      .flatMap((row) => {
        const parsed = VerdictEntry.safeParse(JSON.parse(String(row.entry)));
        return parsed.success ? [parsed.data] : [];
      });
  }
}
