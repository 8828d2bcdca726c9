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

/** shop as blue/green: blue serving everyone, green at 0 %. */
export function blueGreenShop(overrides: Partial<ServiceInput> = {}): ServiceInput {
  return shopService({
    versions: {
      blue: { origin: "http://blue.internal" },
      green: { origin: "http://green.internal" },
    },
    baseline: "blue",
    split: { blue: 100, green: 0 },
    ...overrides,
  });
}
