// vitest globalSetup for the workerd tests: real origin servers, their URLs provided to the pool.
import type { TestProject } from "vitest/node";
import { closedPort, startOrigin } from "../../scripts/origin-server.ts";

export interface RuntimeOrigins {
  stable: string;
  canary: string;
  refused: string;
  /** Answers 10% of each service's requests with 500. */
  faulty: string;
  /** Takes 3 s to answer. */
  slow: string;
  /**
   * Answer 1 % and 4 % of each service's requests with 500: a baseline and a candidate 3 pp
   * worse.
   */
  onePercent: string;
  fourPercent: string;
  /** Its `/items/<id>` documents say price 12 where the others say 10. */
  repriced: string;
  /** Never reads a request body, nor answers a request that has one. */
  deaf: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    origins: RuntimeOrigins;
  }
}

export default async function setup(project: TestProject) {
  const stable = await startOrigin("stable");
  const canary = await startOrigin("canary");
  // Every runtime test file shares these origins: each service's failures counted apart, so a
  // file running beside another gets exactly its share (stats.test.ts counts them exactly).
  const faulty = await startOrigin("faulty", { errorRate: 0.1, errorsPerHost: true });
  const slow = await startOrigin("slow", { latencyMs: 3000 });
  const onePercent = await startOrigin("one-percent", { errorRate: 0.01, errorsPerHost: true });
  const fourPercent = await startOrigin("four-percent", { errorRate: 0.04, errorsPerHost: true });
  const repriced = await startOrigin("repriced", { itemFields: { price: 12 } });
  const deaf = await startOrigin("deaf", { readsBodies: false });
  project.provide("origins", {
    stable: stable.url,
    canary: canary.url,
    refused: `http://127.0.0.1:${await closedPort()}`,
    faulty: faulty.url,
    slow: slow.url,
    onePercent: onePercent.url,
    fourPercent: fourPercent.url,
    repriced: repriced.url,
    deaf: deaf.url,
  });
  return async () => {
    const all = [stable, canary, faulty, slow, onePercent, fourPercent, repriced, deaf];
    await Promise.all(all.map((o) => o.close()));
  };
}
