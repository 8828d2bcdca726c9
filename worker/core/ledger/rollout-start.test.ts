// What a rollout start writes to history when it changes the candidate's origin and release.
import { describe, expect, it } from "vitest";
import { run, shopWithRollout, T0 } from "../../../test/support/ledger-fixtures.ts";
import { decide } from "./ledger.ts";
import { emptyState } from "./state.ts";

describe("rollout start in history", () => {
  it("names the new release beside the new origin", () => {
    const state = run(emptyState("shop"), { kind: "apply", config: shopWithRollout() });
    const started = decide(
      state,
      { kind: "rollout.start", release: "v3", origin: "http://canary-v3.internal" },
      T0,
      { rolloutId: "abc" },
    );
    expect(started.ok && started.value.events[0]).toMatchObject({
      type: "config.applied",
      reason: "rollout start: canary v3 → http://canary-v3.internal",
    });
  });
});
