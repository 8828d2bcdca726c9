// `rollout status` for a regional wave and a ramped rollback.
import { describe, expect, it } from "vitest";
import { rolloutStatus } from "../test/support/cli-fixtures.ts";
import { createOutput } from "./io.ts";
import { renderStatus } from "./rollout-view.ts";

const out = createOutput(
  { stdout: () => {}, stderr: () => {}, env: {}, cwd: "/", isTty: false },
  { json: false, noColor: true },
);

describe("rollout status for consistent visitors", () => {
  it("names the place of a regional wave", () => {
    const view = { ...rolloutStatus("progressing"), place: { country: ["NZ", "AU"] } };
    expect(renderStatus(out, "shop", view)).toContain(
      "wave: only country NZ, AU reach canary in this step; elsewhere stays on stable",
    );
    expect(renderStatus(out, "shop", rolloutStatus("progressing")).join("\n")).not.toContain(
      "wave:",
    );
  });

  it("shows a ramped rollback's share and when it reaches 0", () => {
    const base = rolloutStatus("rolledBack");
    const view = {
      ...base,
      state: {
        ...base.state!,
        weight: 12.5,
        endedAt: "2026-01-02T03:04:05.000Z",
        ramp: { from: 40, steps: 8, stepMs: 15_000 },
      },
    };
    expect(renderStatus(out, "shop", view)).toContain(
      "ramping back: canary at 12.5% (from 40%), 0% by 2026-01-02 03:06:05Z",
    );
  });
});
