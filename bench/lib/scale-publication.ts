// bench:scale's publication part (issue 24, item 1), live in workerd: services applied through
// the admin API up to each size, then what one weights change costs (the KV bytes the registry
// writes, the workerd CPU until KV has it), what applying services one at a time costs, and what an
// isolate's route table costs (a warm one's refresh after one change, a cold one's first request to
// one host, the workerd memory of one holding every service).
import { readFileSync } from "node:fs";
import {
  hostShardKey,
  ROUTES_HEAD_KEY,
  type RoutesHead,
  serviceKey,
} from "../../schemas/route-doc-format.ts";
import type { ServiceInput } from "../../schemas/service.ts";
import { cpuMillis } from "./cpu.ts";
import { admin, waitFor } from "./keystone-client.ts";
import { applyInFiles, driver, rolloutServiceConfig } from "./scale-live.ts";
import { median } from "./stats.ts";

/** The KV namespace as Miniflare hands it to Node. */
interface RoutesKv {
  get(key: string, type: "text"): Promise<string | null>;
}

export interface ChangeCost {
  services: number;
  /** Head + the keys the change's publication names (its service, shards when hosts moved). */
  writtenBytes: number;
  writtenKeys: number;
  /** The changed service's own key. */
  entryBytes: number;
  /** workerd CPU from the admin request until the registry wrote KV, median of the changes. */
  cpuMs: number;
  publishedMs: number;
}

export interface IsolateCost {
  services: number;
  /** A warm isolate's refresh after one change (CPU, median), and with nothing changed. */
  refreshCpuMs: number;
  idleRefreshCpuMs: number;
  refreshReads: number;
  /** A new isolate's first request to one host (CPU per request, over `repeat` isolates). */
  coldCpuMs: number;
  coldReads: number;
  /** workerd's resident memory grown by loading every service in one isolate. */
  rssGrowthMb: number;
}

const PROBE = "pub-probe";

export class PublicationBench {
  readonly #url: string;
  readonly #origin: string;
  readonly #kv: RoutesKv;
  readonly #pid: number;
  readonly #names: string[] = [];
  #weight = 0;

  constructor(url: string, origin: string, kv: RoutesKv, pid: number) {
    this.#url = url;
    this.#origin = origin;
    this.#kv = kv;
    this.#pid = pid;
  }

  get services(): number {
    return this.#names.length;
  }

  #config(name: string): ServiceInput {
    return { ...rolloutServiceConfig(name, this.#origin), rollout: undefined };
  }

  /** Applies services in files of 100 until `total` are stored; returns the seconds it took. */
  async growTo(total: number): Promise<number> {
    const names: string[] = [];
    if (this.#names.length === 0) names.push(PROBE);
    while (this.#names.length + names.length < total)
      names.push(`pub-${String(this.#names.length + names.length).padStart(5, "0")}`);
    const seconds = await applyInFiles(this.#url, names.map(this.#config.bind(this)), 100);
    this.#names.push(...names);
    return seconds;
  }

  async #generation(): Promise<number> {
    return (await driver<{ generation: number }>(this.#url, "generation", {})).generation;
  }

  /**
   * One weights change of the probe, waited for until the registry has written KV. A second after
   * the last write, so the registry writes at once rather than coalescing it into its alarm.
   */
  async #change(): Promise<{ cpuMs: number; publishedMs: number }> {
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const generation = await this.#generation();
    const cpuBefore = cpuMillis(this.#pid);
    const started = performance.now();
    this.#weight = (this.#weight % 50) + 1;
    await admin(this.#url, "POST", `/services/${PROBE}/weights`, {
      split: { stable: 100 - this.#weight, canary: this.#weight },
    });
    // Asking costs workerd CPU too: after the change's own request, rarely.
    await waitFor(async () => (await this.#generation()) > generation, 30_000, 50);
    return { cpuMs: cpuMillis(this.#pid) - cpuBefore, publishedMs: performance.now() - started };
  }

  /** `changes` weights changes of one service among all: bytes written, CPU. */
  async changeCost(changes: number): Promise<ChangeCost> {
    const runs: { cpuMs: number; publishedMs: number }[] = [];
    for (let i = 0; i < changes; i++) runs.push(await this.#change());
    const head = JSON.parse((await this.#kv.get(ROUTES_HEAD_KEY, "text"))!) as RoutesHead;
    const latest = head.recent.at(-1)!;
    const keys = [
      ...latest.services.map(serviceKey),
      ...latest.shards.filter((s) => s >= 0).map(hostShardKey),
    ];
    const sizes = await Promise.all(
      keys.map(async (key) => (await this.#kv.get(key, "text"))?.length ?? 0),
    );
    const headBytes = JSON.stringify(head).length;
    return {
      services: this.#names.length,
      writtenBytes: headBytes + sizes.reduce((a, b) => a + b, 0),
      writtenKeys: keys.length + 1,
      entryBytes: (await this.#kv.get(serviceKey(PROBE), "text"))?.length ?? 0,
      cpuMs: median(runs.map((r) => r.cpuMs)),
      publishedMs: median(runs.map((r) => r.publishedMs)),
    };
  }

  /** `count` new services applied one PUT at a time: milliseconds per PUT. */
  async oneAtATime(count: number, tag: string): Promise<number> {
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const name = `one-${tag}-${String(i).padStart(4, "0")}`;
      await admin(this.#url, "PUT", `/services/${name}`, { config: this.#config(name) });
      this.#names.push(name);
    }
    return (performance.now() - started) / count;
  }

  /** An isolate holding every service: its refresh after one change, and a cold one's first request. */
  async isolateCost(changes: number, coldRepeat: number): Promise<IsolateCost> {
    const hosts = this.#names.map((name) => `${name}.scale.test`);
    const rssBefore = rssMb(this.#pid);
    const loaded = await driver<{ services: number }>(this.#url, "isolate", {
      action: "load",
      hosts,
    });
    const rssGrowthMb = rssMb(this.#pid) - rssBefore;
    const refresh = async () => {
      const before = cpuMillis(this.#pid);
      const { reads } = await driver<{ reads: number }>(this.#url, "isolate", {
        action: "refresh",
        hosts: [],
      });
      return { cpuMs: cpuMillis(this.#pid) - before, reads };
    };
    const idle: number[] = [];
    const changed: number[] = [];
    let reads = 0;
    for (let i = 0; i < changes; i++) {
      const quiet = await refresh();
      idle.push(quiet.cpuMs);
      await this.#change();
      // The refresh after the change: the head, then the one service it names.
      const after = await refresh();
      changed.push(after.cpuMs);
      reads = after.reads - quiet.reads;
    }
    const coldBefore = cpuMillis(this.#pid);
    const cold = await driver<{ services: number; reads: number }>(this.#url, "isolate", {
      action: "cold",
      hosts: [`${PROBE}.scale.test`],
      repeat: coldRepeat,
    });
    return {
      services: loaded.services,
      refreshCpuMs: median(changed),
      idleRefreshCpuMs: median(idle),
      refreshReads: reads,
      coldCpuMs: (cpuMillis(this.#pid) - coldBefore) / coldRepeat,
      coldReads: cold.reads,
      rssGrowthMb,
    };
  }
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}
