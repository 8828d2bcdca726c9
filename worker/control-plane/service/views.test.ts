// A service's record as `keystone get` and the MCP summary read it: the split it shows is the one
// the data plane serves, a running rollout's step included, not only the split of record.
import { describe, expect, it } from "vitest";
import { live, run, T0 } from "../../../test/support/ledger-fixtures.ts";
import { recordView } from "./views.ts";

describe("a service's record", () => {
  it("shows the split served while a rollout runs or is paused, the split of record after it", () => {
    const before = live();
    expect(recordView(before, T0)?.split).toEqual({ stable: 100, canary: 0 });

    const started = run(before, { kind: "rollout.start" });
    const record = recordView(started, T0);
    expect(record?.config.split).toEqual({ stable: 100, canary: 0 });
    expect(record?.split).toEqual({ stable: 90, canary: 10 });

    const paused = run(started, { kind: "rollout.pause" });
    expect(recordView(paused, T0)?.split).toEqual({ stable: 90, canary: 10 });

    const aborted = run(paused, { kind: "rollout.abort" });
    expect(recordView(aborted, T0)?.split).toEqual({ stable: 100, canary: 0 });
  });
});
