// The incidents of one service object (SQLite): one row per rolled-back or aborted rollout,
// written in the transaction of the decision that ended it, and the candidate's last request
// added by the trace that follows.
import { Incident } from "../../../schemas/incident.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS incidents (
  id INTEGER PRIMARY KEY,
  rollout_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  incident TEXT NOT NULL
);
`;

export class IncidentStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(SCHEMA);
  }

  add(incident: Incident): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO incidents (id, rollout_id, at, incident) VALUES (?, ?, ?, ?)",
      Number(incident.id),
      incident.rolloutId,
      incident.at,
      JSON.stringify(incident),
    );
  }

  count(): number {
    return Number(this.#sql.exec("SELECT COUNT(*) AS n FROM incidents").one().n);
  }

  /** Newest first. */
  list(limit = 100): Incident[] {
    return this.#sql
      .exec("SELECT incident FROM incidents ORDER BY id DESC LIMIT ?", limit)
      .toArray()
      .map((row) => Incident.parse(JSON.parse(String(row.incident))));
  }

  get(id: string): Incident | undefined {
    if (!/^[1-9]\d{0,15}$/.test(id)) return undefined;
    const row = this.#sql
      .exec("SELECT incident FROM incidents WHERE id = ?", Number(id))
      .toArray()[0];
    return row ? Incident.parse(JSON.parse(String(row.incident))) : undefined;
  }

  /** The incident of a rollout, if it ended badly. */
  ofRollout(rolloutId: string): Incident | undefined {
    const row = this.#sql
      .exec(
        "SELECT incident FROM incidents WHERE rollout_id = ? ORDER BY id DESC LIMIT 1",
        rolloutId,
      )
      .toArray()[0];
    return row ? Incident.parse(JSON.parse(String(row.incident))) : undefined;
  }

  /** Records what the latest trace of the candidate found. */
  traced(id: string, last: NonNullable<Incident["lastCandidateRequest"]>): void {
    const incident = this.get(id);
    if (incident) this.add({ ...incident, lastCandidateRequest: last });
  }
}
