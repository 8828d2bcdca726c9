// An apply --force is marked in history when it did what the apply without it refuses (or holds):
// the config.applied event's detail says forced, over which release, and so does its notification.
import { describe, expect, it } from "vitest";
import type { ApplyCommand, Command } from "../../../schemas/ledger.ts";
import { ServiceSpec } from "../../../schemas/service-spec.ts";
import { T0 } from "../../../test/support/ledger-fixtures.ts";
import { decide } from "./ledger.ts";
import { emptyState, type LedgerState } from "./state.ts";

function spec(release: string): ServiceSpec {
  return ServiceSpec.parse({
    name: "shop",
    hosts: ["shop.example.com"],
    release: { name: release, origin: `http://${release.replaceAll(".", "-")}.internal` },
    rollout: {
      strategy: "canary",
      steps: [{ weight: 10, bake: "1m" }],
      analysis: { minRequests: 10 },
    },
    notify: [{ url: "https://hooks.example.com/k", events: ["config.applied"] }],
  });
}

const applyOf = (release: string, force?: boolean): ApplyCommand => ({
  kind: "apply",
  config: spec(release),
  author: "ci",
  ...(force ? { force } : {}),
});

function decided(state: LedgerState, command: Command) {
  const result = decide(state, command, T0, { rolloutId: "r-1" });
  if (!result.ok) throw new Error(`${command.kind} refused: ${result.error.message}`);
  return result.value;
}

const applied = (decision: ReturnType<typeof decided>) =>
  decision.events.find((e) => e.type === "config.applied")?.detail;

const notified = (decision: ReturnType<typeof decided>) =>
  decision.effects.flatMap((e) => (e.kind === "notify" ? [e.text] : []));

/** v1 created, then v2 rolled out and promoted: v2 serves, v1 served before. */
function v2Serving(): LedgerState {
  const created = decided(emptyState("shop"), applyOf("v1")).state;
  const started = decided(created, applyOf("v2")).state;
  return decided(started, { kind: "rollout.promote", full: true }).state;
}

describe("apply --force in history", () => {
  it("back to a release that served before: forced over the one serving, in detail and notification", () => {
    const state = v2Serving();
    expect(decide(state, applyOf("v1"), T0).ok).toBe(false);
    const forced = decided(state, applyOf("v1", true));
    expect(applied(forced)).toMatchObject({
      kind: "config",
      forced: true,
      forcedOver: { name: "v2", origin: "http://v2.internal" },
    });
    expect(notified(forced)).toEqual([
      `shop: revision ${forced.state.revision} (apply, forced over v2 serving)`,
    ]);
  });

  it("a --force that overrode nothing is not marked", () => {
    const next = decided(v2Serving(), applyOf("v3", true));
    expect(applied(next)).not.toHaveProperty("forced");
    expect(notified(next)).toEqual([`shop: revision ${next.state.revision} (apply)`]);
  });
});
