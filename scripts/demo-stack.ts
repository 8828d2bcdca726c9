// The demo's stack and its story, shared by `npm run demo` (which tells it) and `npm run
// screenshots` (which photographs it): three local origins, the Worker on throwaway state, the
// demo service, a healthy canary that reaches promotion and a faulty one that is rolled back.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { Io } from "../admin-cli/io.ts";
import { main as keystone } from "../admin-cli/main.ts";
import type { RolloutPhase } from "../schemas/rollout-state.ts";
import { closedPort, type OriginServer, startOrigin } from "./origin-server.ts";
import {
  type LocalSecrets,
  randomSecrets,
  type Stack,
  startWorker,
  writeEnvFile,
} from "./stack.ts";

const SERVICE = "demo";
/** Healthy candidate requests a step's window needs before the judge decides. */
const MIN_REQUESTS = 15;
/** A round sends until the candidate has answered this many: the judge has enough at once. */
const CANDIDATE_ANSWERS_PER_ROUND = MIN_REQUESTS + 10;
/** A bound on one round's traffic, should the candidate never be reached. */
const MAX_REQUESTS_PER_ROUND = 600;
const BATCH = 20;
const ENDED: RolloutPhase[] = ["promoted", "rolledBack", "aborted"];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What one round's traffic got: answers per version, in the order versions first answered. */
export type Answers = Map<string, number>;

interface DemoOrigins {
  stable: OriginServer;
  canary: OriginServer;
  /** The v3 candidate: one request in four answered 500. */
  faulty: OriginServer;
}

export class DemoStack {
  readonly secrets: LocalSecrets;
  readonly #dir: string;
  readonly #worker: Stack;
  readonly #origins: DemoOrigins;
  readonly #io: Io | undefined;
  #visitors = 0;

  private constructor(
    dir: string,
    secrets: LocalSecrets,
    worker: Stack,
    origins: DemoOrigins,
    io: Io | undefined,
  ) {
    this.#dir = dir;
    this.secrets = secrets;
    this.#worker = worker;
    this.#origins = origins;
    this.#io = io;
  }

  /** `io`: where the keystone commands it runs write (the terminal when not given). */
  static async start(io?: Io): Promise<DemoStack> {
    const dir = mkdtempSync(join(tmpdir(), "keystone-demo-"));
    const secrets = randomSecrets();
    // Outcomes reach the stats at once: a round's figures are complete when the next tick judges them.
    writeEnvFile(join(dir, "worker.env"), secrets, { METRICS_FLUSH_SECONDS: "0" });
    const [stable, canary, faulty] = await Promise.all([
      startOrigin("stable v1"),
      startOrigin("canary v2"),
      startOrigin("broken v3", { errorRate: 0.25 }),
    ]);
    const worker = await startWorker({
      port: await closedPort(),
      persistTo: join(dir, "state"),
      envFile: join(dir, "worker.env"),
    });
    return new DemoStack(dir, secrets, worker, { stable, canary, faulty }, io);
  }

  get url(): string {
    return this.#worker.url;
  }

  /** Requests the faulty origin has answered. */
  get faultyHits(): number {
    return this.#origins.faulty.totalHits();
  }

  /** Runs `keystone …` against this stack with the admin token; returns its exit code. */
  cli(...args: string[]): Promise<number> {
    return keystone([...args, "--url", this.url, "--token", this.secrets.ADMIN_TOKEN], this.#io);
  }

  /** The demo service: stable v1 at 100 %, a canary rollout of two short steps. */
  async apply(): Promise<void> {
    const { stable, canary } = this.#origins;
    const config = {
      services: [
        {
          name: SERVICE,
          hosts: ["127.0.0.1"],
          versions: {
            stable: { origin: stable.url, release: "v1" },
            canary: { origin: canary.url, release: "v2" },
          },
          baseline: "stable",
          split: { stable: 100, canary: 0 },
          rollout: {
            strategy: "canary",
            steps: [
              { weight: 20, bake: "3s" },
              { weight: 60, bake: "3s" },
            ],
            analysis: {
              minRequests: MIN_REQUESTS,
              maxErrorRatePercent: 5,
              maxP95Ms: 2000,
              failureLimit: 0,
            },
          },
        },
      ],
    };
    const file = join(this.#dir, "demo.yaml");
    writeFileSync(file, stringify(config));
    await this.#must("apply", "-f", file, "--reason", "demo");
  }

  async startHealthyCanary(): Promise<void> {
    await this.#must("rollout", "start", SERVICE, "--release", "v2");
  }

  async startFaultyCanary(): Promise<void> {
    const { faulty } = this.#origins;
    await this.#must("rollout", "start", SERVICE, "--origin", faulty.url, "--release", "v3");
  }

  /**
   * One round: traffic from new visitors until the candidate has answered enough of it, then time
   * for the rollout's own ticks (every 2 s locally) once the step's bake has passed, and the cron
   * (the safety net, which wakes the rollout only if its tick is late). The traffic is counted by the version that answered, so
   * requests a Worker isolate routed by the table from before the rollout (it learns of a change
   * within about two seconds locally) do not leave the candidate short.
   */
  async round(): Promise<Answers> {
    const answers: Answers = new Map();
    let sent = 0;
    while ((answers.get("canary") ?? 0) < CANDIDATE_ANSWERS_PER_ROUND) {
      if (sent >= MAX_REQUESTS_PER_ROUND) break;
      await Promise.all(Array.from({ length: BATCH }, () => this.#visit(answers)));
      sent += BATCH;
    }
    await sleep(2_500);
    const response = await fetch(
      `${this.url}/__scheduled?cron=${encodeURIComponent("* * * * *")}&time=${Date.now()}`,
    );
    await response.arrayBuffer();
    await sleep(1_000);
    return answers;
  }

  /** The rollout's phase: progressing, paused, promoted, rolledBack, aborted. */
  async phase(): Promise<RolloutPhase> {
    return (await this.#rollout()).state.phase;
  }

  /** Whether the rollout has ended (promoted, rolled back or aborted). */
  async ended(): Promise<boolean> {
    return ENDED.includes(await this.phase());
  }

  /** The incident the last rollout left, as rollout status names it. */
  async lastIncident(): Promise<string | undefined> {
    return (await this.#rollout()).incident?.id;
  }

  async stop(): Promise<void> {
    await this.#worker.stop();
    await Promise.all(Object.values(this.#origins).map((origin) => origin.close()));
    rmSync(this.#dir, { recursive: true, force: true });
  }

  async #visit(answers: Answers): Promise<void> {
    const response = await fetch(`${this.url}/`, {
      headers: { cookie: `ks_demo=visitor-${++this.#visitors}-${Date.now()}` },
    });
    await response.arrayBuffer();
    const version = response.headers.get("x-keystone-version") ?? "(none)";
    answers.set(version, (answers.get(version) ?? 0) + 1);
  }

  async #rollout(): Promise<{ state: { phase: RolloutPhase }; incident: { id: string } | null }> {
    const response = await fetch(`${this.url}/_keystone/v1/services/${SERVICE}/rollout`, {
      headers: { authorization: `Bearer ${this.secrets.READ_TOKEN}` },
    });
    if (!response.ok) throw new Error(`rollout status: HTTP ${response.status}`);
    return (await response.json()) as {
      state: { phase: RolloutPhase };
      incident: { id: string } | null;
    };
  }

  async #must(...args: string[]): Promise<void> {
    const code = await this.cli(...args);
    if (code !== 0) throw new Error(`keystone ${args[0]} ${args[1]} failed (exit ${code})`);
  }
}
