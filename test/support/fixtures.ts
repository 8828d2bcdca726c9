// Small valid configs that tests bend into the case they need.
import type { ServiceInput } from "../../schemas/service.ts";

export function shopService(overrides: Partial<ServiceInput> = {}): ServiceInput {
  return {
    name: "shop",
    hosts: ["shop.example.com"],
    versions: {
      stable: { origin: "http://stable.internal", release: "v1" },
      canary: { origin: "http://canary.internal", release: "v2" },
    },
    baseline: "stable",
    split: { stable: 95, canary: 5 },
    ...overrides,
  };
}
