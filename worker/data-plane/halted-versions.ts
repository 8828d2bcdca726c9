// Versions this isolate must not send traffic to: halted by a rollback or abort, learned from
// the stats object on a metrics flush. A halt names the publication that carries the rollback
// (its sequence): it holds only while this isolate's table has the service below that sequence.
// From that table on, what the config says is obeyed again (weights, rules, overrides, preview).
import type { HaltSignal } from "../../schemas/stats.ts";
import type { HaltedCheck } from "../core/decide.ts";
import type { HaltListener } from "./outcome-flusher.ts";

/** Which sequence this isolate's table holds a service at (-1: not loaded). */
export interface TableSequences {
  sequenceOf(service: string): number;
}

const NO_TABLE: TableSequences = { sequenceOf: () => -1 };

export class HaltedVersions implements HaltedCheck, HaltListener {
  readonly #halts = new Map<string, HaltSignal>();
  readonly #tables: TableSequences;

  constructor(tables: TableSequences = NO_TABLE) {
    this.#tables = tables;
  }

  /** A stats object's answer on a flush, judged against the table this isolate holds now. */
  heard(service: string, version: string, halt: HaltSignal | null): void {
    this.learn(service, version, halt, this.#tables.sequenceOf(service));
  }

  /**
   * What a stats object answered for a version: a halt (ignored when the table already holds the
   * service at its sequence or later), or none (any halt of that version lifts).
   */
  learn(service: string, version: string, halt: HaltSignal | null, tableSequence: number): void {
    const key = `${service}/${version}`;
    if (halt === null || tableSequence >= halt.sequence) this.#halts.delete(key);
    else this.#halts.set(key, halt);
  }

  /** True while no halt is known: the data plane then skips the check. */
  get empty(): boolean {
    return this.#halts.size === 0;
  }

  /** Whether to divert the version, given the sequence this isolate's table holds the service at. */
  isHalted(service: string, version: string, tableSequence: number): boolean {
    if (this.#halts.size === 0) return false;
    const key = `${service}/${version}`;
    const halt = this.#halts.get(key);
    if (!halt) return false;
    if (tableSequence >= halt.sequence) {
      this.#halts.delete(key);
      return false;
    }
    return true;
  }

  list(): string[] {
    return [...this.#halts.keys()];
  }
}
