// Sends the recorder's batches to the stats Durable Objects, one call per (service, version),
// off the response path (waitUntil). A failed call is retried a bounded number of times, then
// dropped and counted: metrics must never hold up routing.
import type { OutcomeBatch } from "../core/metrics/outcome-recorder.ts";
import type { Env } from "../env.ts";

const RETRY_DELAYS_MS = [100, 500];

export class OutcomeFlusher {
  readonly #env: Env;
  readonly #onHalted: (service: string, version: string) => void;
  /** DO calls made (for the hot-path counters) and batches given up on. */
  calls = 0;
  droppedBatches = 0;

  constructor(env: Env, onHalted: (service: string, version: string) => void = () => {}) {
    this.#env = env;
    this.#onHalted = onHalted;
  }

  async send(batches: OutcomeBatch[]): Promise<void> {
    const bySeries = new Map<string, OutcomeBatch[]>();
    for (const batch of batches) {
      const key = statsObjectName(batch.service, batch.version);
      bySeries.set(key, [...(bySeries.get(key) ?? []), batch]);
    }
    await Promise.all([...bySeries].map(([name, series]) => this.#sendSeries(name, series)));
  }

  async #sendSeries(name: string, series: OutcomeBatch[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        this.calls++;
        const { halted } = await this.#env.STATS.get(this.#env.STATS.idFromName(name)).record(
          series,
        );
        if (halted) this.#onHalted(series[0]!.service, series[0]!.version);
        return;
      } catch (error) {
        const delay = RETRY_DELAYS_MS[attempt];
        if (delay === undefined) {
          this.droppedBatches += series.length;
          console.error(
            `keystone: dropped ${series.length} metrics batch(es) for ${name}: ${String(error)}`,
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}

/** The stats object of one version of one service. */
export function statsObjectName(service: string, version: string): string {
  return `${service}/${version}`;
}
