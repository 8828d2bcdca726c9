// Versions this isolate must not send traffic to: halted by a rollback or abort, learned from
// the stats object on a metrics flush. A halt lasts until a newer route table arrives (which
// already carries the rollback) or, at the latest, HALT_TTL_MS.
const HALT_TTL_MS = 5 * 60_000;

export class HaltedVersions {
  readonly #halts = new Map<string, { generation: number; at: number }>();

  halt(service: string, version: string, generation: number, now: number): void {
    this.#halts.set(`${service}/${version}`, { generation, at: now });
  }

  isHalted(service: string, version: string, generation: number, now: number): boolean {
    if (this.#halts.size === 0) return false;
    const key = `${service}/${version}`;
    const halt = this.#halts.get(key);
    if (!halt) return false;
    if (generation > halt.generation || now - halt.at > HALT_TTL_MS) {
      this.#halts.delete(key);
      return false;
    }
    return true;
  }

  list(): string[] {
    return [...this.#halts.keys()];
  }
}
