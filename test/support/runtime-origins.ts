// vitest globalSetup for the workerd tests: real origin servers, their URLs provided to the pool.
import type { TestProject } from "vitest/node";
import { closedPort, startOrigin } from "../../scripts/origin-server.ts";

export interface RuntimeOrigins {
  stable: string;
  canary: string;
  refused: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    origins: RuntimeOrigins;
  }
}

export default async function setup(project: TestProject) {
  const stable = await startOrigin("stable");
  const canary = await startOrigin("canary");
  project.provide("origins", {
    stable: stable.url,
    canary: canary.url,
    refused: `http://127.0.0.1:${await closedPort()}`,
  });
  return async () => {
    await stable.close();
    await canary.close();
  };
}
