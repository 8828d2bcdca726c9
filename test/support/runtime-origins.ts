// vitest globalSetup for the workerd tests: real origin servers, their URLs provided to the pool.
import type { TestProject } from "vitest/node";
import { closedPort, startOrigin } from "../../scripts/origin-server.ts";

export interface RuntimeOrigins {
  stable: string;
  canary: string;
  refused: string;
  /** Answers 10% of requests with 500. */
  faulty: string;
  /** Takes 3 s to answer. */
  slow: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    origins: RuntimeOrigins;
  }
}

export default async function setup(project: TestProject) {
  const stable = await startOrigin("stable");
  const canary = await startOrigin("canary");
  const faulty = await startOrigin("faulty", { errorRate: 0.1 });
  const slow = await startOrigin("slow", { latencyMs: 3000 });
  project.provide("origins", {
    stable: stable.url,
    canary: canary.url,
    refused: `http://127.0.0.1:${await closedPort()}`,
    faulty: faulty.url,
    slow: slow.url,
  });
  return async () => {
    await Promise.all([stable, canary, faulty, slow].map((o) => o.close()));
  };
}
