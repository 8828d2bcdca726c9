// The fault suite's tools: send through a data plane, publish raw route documents, and fault
// injectors that wrap the real KV and stats bindings (failing on demand, then recovering).
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ConfigFile } from "../../../schemas/config-file.ts";
import type { ServiceInput } from "../../../schemas/service.ts";
import type { DataPlane } from "../../../worker/data-plane/handler.ts";
import type { Env } from "../../../worker/env.ts";
import { writeDocument, writePublication } from "./route-kv.ts";

export interface Echo {
  origin: string;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
}

/** One request through a data plane, its waitUntil work (flushes, deadlines) awaited. */
export async function send(
  plane: DataPlane,
  url: string,
  init: RequestInit = {},
): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await plane.fetch(new Request(url, init), ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

let generation = 1_000;

/**
 * Publishes route entries as given (entries may be anything, as a hand edit or old code could):
 * format 2 as the registry of this release does, a key per service; format 1, the whole
 * document of bare services an older registry wrote.
 */
export async function publishRaw(services: unknown[], format: 1 | 2 = 2): Promise<number> {
  generation++;
  if (format === 2) await writePublication(services, generation);
  else
    await writeDocument(
      JSON.stringify({ format, generation, publishedAt: new Date().toISOString(), services }),
    );
  return generation;
}

/** The whole document of an older registry (format 2 entries, no head): read as before. */
export async function publishDocument(services: unknown[]): Promise<number> {
  generation++;
  await writeDocument(
    JSON.stringify({ format: 2, generation, publishedAt: new Date().toISOString(), services }),
  );
  return generation;
}

/** A format 2 entry of a valid service. */
export function entryOf(config: ServiceInput, sequence = 1): unknown {
  const [parsed] = ConfigFile.parse({ services: [config] }).services;
  return { name: config.name, sequence, config: parsed };
}

/** A two-version service on `host` in front of the real local origins. */
export function serviceOn(
  name: string,
  host: string,
  extra: Partial<ServiceInput> = {},
): ServiceInput {
  return {
    name,
    hosts: [host],
    versions: {
      stable: { origin: env.STABLE_ORIGIN, release: "v1" },
      canary: { origin: env.CANARY_ORIGIN, release: "v2", timeoutMs: 500 },
    },
    baseline: "stable",
    split: { stable: 100, canary: 0 },
    sticky: { by: "none" },
    rules: [
      {
        name: "force-canary",
        when: { header: { name: "x-canary", equals: "always" } },
        route: "canary",
      },
    ],
    ...extra,
  };
}

/** A switch a fault injector reads: while `on`, the wrapped binding fails. */
export class Fault {
  on = false;
  /** Calls that reached the real binding. */
  passed = 0;
}

/** The real KV namespace, whose reads throw while the fault is on. */
export function faultyKv(fault: Fault): Env["ROUTES"] {
  return new Proxy(env.ROUTES, {
    get(target, property) {
      if (property !== "get") return Reflect.get(target, property);
      return (...args: Parameters<KVNamespace["get"]>) => {
        if (fault.on) throw new Error("KV is unavailable (injected)");
        fault.passed++;
        return (target.get as (...a: unknown[]) => unknown)(...args);
      };
    },
  });
}

/**
 * The real stats namespace: while the fault is on, `record` fails before reaching the object
 * ("before"), or reaches it and then loses the answer ("after", as a dropped connection would).
 */
export function faultyStats(fault: Fault, when: "before" | "after" = "before"): Env["STATS"] {
  const real = env.STATS;
  return {
    idFromName: (name: string) => real.idFromName(name),
    get(id: DurableObjectId) {
      const stub = real.get(id);
      return new Proxy(stub, {
        get(target, property) {
          if (property !== "record") return Reflect.get(target, property);
          return async (flush: Parameters<typeof stub.record>[0]) => {
            if (fault.on && when === "before") throw new Error("stats object failed (injected)");
            const answer = await target.record(flush);
            fault.passed++;
            if (fault.on) {
              fault.on = false; // the retry gets through
              throw new Error("connection lost after the stats object answered (injected)");
            }
            return answer;
          };
        },
      });
    },
  } as unknown as Env["STATS"];
}
