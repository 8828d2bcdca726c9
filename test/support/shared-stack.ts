// The Worker as the end-to-end tests run it (wrangler dev on a free port, its state and secrets in
// a folder of its own), and the vitest globalSetup of the e2e project: one such Worker that every
// end-to-end file without a stack of its own joins (joinSharedStack in e2e-stack.ts), instead of
// a wrangler dev started and stopped per file.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { closedPort } from "../../scripts/origin-server.ts";
import {
  type LocalSecrets,
  randomSecrets,
  type Stack,
  startWorker,
  writeEnvFile,
} from "../../scripts/stack.ts";

/** The stack's bucket key: fixed, so tests can work out where a visitor lands (as the Worker does). */
export const E2E_BUCKET_SECRET = "e2e-bucket-secret";

export interface E2eWorker {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  secrets: LocalSecrets;
  /** A temporary folder of its own: the Worker's state, and room for a test's files. */
  dir: string;
  /** Stops the Worker and starts it again on the same port and state. */
  restart(): Promise<void>;
  /** Stops the Worker and removes its folder. */
  stop(): Promise<void>;
}

/** `unset`: secrets the Worker runs without, as a deployment that never set them would. */
export async function startE2eWorker(
  setup: { unset?: (keyof LocalSecrets)[] } = {},
): Promise<E2eWorker> {
  const dir = mkdtempSync(join(tmpdir(), "keystone-e2e-"));
  // A fixed bucket key, so a test's visitors land where they did on the last run.
  const secrets = { ...randomSecrets(), BUCKET_SECRET: E2E_BUCKET_SECRET };
  const envFile = join(dir, "worker.env");
  const given: Partial<LocalSecrets> = { ...secrets };
  for (const name of setup.unset ?? []) delete given[name];
  // Flush outcomes with every request, so a test's traffic reaches the stats objects at once.
  writeEnvFile(envFile, given, { METRICS_FLUSH_SECONDS: "0" });
  const port = await closedPort();
  const options = { port, persistTo: join(dir, "state"), envFile };
  let worker: Stack = await startWorker(options);
  return {
    url: worker.url,
    port,
    secrets,
    dir,
    async restart() {
      await worker.stop();
      worker = await startWorker(options);
    },
    async stop() {
      await worker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What a test file needs to join the shared Worker (provide/inject carry plain data only). */
export interface SharedWorker {
  port: number;
  secrets: LocalSecrets;
}

declare module "vitest" {
  export interface ProvidedContext {
    sharedWorker: SharedWorker;
  }
}

export default async function setup(project: TestProject) {
  const worker = await startE2eWorker();
  project.provide("sharedWorker", { port: worker.port, secrets: worker.secrets });
  return () => worker.stop();
}
