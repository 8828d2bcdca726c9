// Publishes services to the real KV binding, as the control plane would.
import { env } from "cloudflare:workers";
import { ConfigFile } from "../../../schemas/config-file.ts";
import type { ServiceInput } from "../../../schemas/service.ts";
import { offlineService } from "../../../schemas/service-spec.ts";
import { writePublication } from "./route-kv.ts";

let generation = 0;

export async function publish(...services: ServiceInput[]): Promise<void> {
  generation++;
  const entries = ConfigFile.parse({ services })
    .services.map(offlineService)
    .map((config) => ({ name: config.name, sequence: generation, config }));
  await writePublication(entries, generation);
}

/** The shop service in front of the real local origins. */
export function localShop(overrides: Partial<ServiceInput> = {}): ServiceInput {
  return {
    name: "shop",
    hosts: ["shop.example.com"],
    versions: {
      stable: { origin: env.STABLE_ORIGIN, release: "v1.0.0" },
      canary: { origin: env.CANARY_ORIGIN, release: "v2.0.0", timeoutMs: 500 },
    },
    baseline: "stable",
    split: { stable: 100, canary: 0 },
    rules: [
      {
        name: "force-canary",
        when: { header: { name: "x-canary", equals: "always" } },
        route: "canary",
      },
    ],
    ...overrides,
  };
}
