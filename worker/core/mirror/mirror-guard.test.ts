import { describe, expect, it } from "vitest";
import { MirrorBatch } from "../../../schemas/mirror.ts";
import { MirrorGuard } from "./mirror-guard.ts";
import { type MirrorOutcome, MirrorRecorder } from "./mirror-recorder.ts";

const limits = { perSecond: 3, inFlight: 2, failuresToOpen: 2, openMs: 30_000 };
const T = 1_800_000_000_000;

describe("the mirror guard of an isolate", () => {
  it("caps copies in flight and per second", () => {
    const guard = new MirrorGuard(limits);
    expect(guard.admit("s/canary", T)).toBe("go");
    expect(guard.admit("s/canary", T)).toBe("go");
    expect(guard.admit("s/canary", T)).toBe("capped");
    guard.settle("s/canary", T, false);
    expect(guard.admit("s/canary", T)).toBe("go");
    guard.settle("s/canary", T, false);
    expect(guard.admit("s/canary", T + 10)).toBe("capped");
    expect(guard.admit("s/canary", T + 1000)).toBe("go");
    expect(guard.capped).toBe(2);
  });

  it("stops copying to an origin that keeps failing, probes once after the cool-down, resumes when it answers", () => {
    const guard = new MirrorGuard({ ...limits, inFlight: 100, perSecond: 100 });
    for (const _ of [1, 2]) {
      expect(guard.admit("s/canary", T)).toBe("go");
      guard.settle("s/canary", T, true);
    }
    expect(guard.open(T)).toEqual(["s/canary"]);
    expect(guard.admit("s/canary", T + 29_999)).toBe("breakerOpen");
    expect(guard.admit("s/other", T)).toBe("go");
    // After the cool-down one probe goes; others wait for its answer.
    expect(guard.admit("s/canary", T + 30_000)).toBe("go");
    expect(guard.admit("s/canary", T + 30_001)).toBe("breakerOpen");
    guard.settle("s/canary", T + 30_100, true);
    expect(guard.admit("s/canary", T + 40_000)).toBe("breakerOpen");
    expect(guard.admit("s/canary", T + 60_100)).toBe("go");
    guard.settle("s/canary", T + 60_200, false);
    expect(guard.open(T + 60_200)).toEqual([]);
    expect(guard.admit("s/canary", T + 60_300)).toBe("go");
    expect(guard.skippedByBreaker).toBe(3);
  });
});

function outcome(over: Partial<MirrorOutcome>): MirrorOutcome {
  return {
    service: "s",
    version: "canary",
    at: T,
    method: "GET",
    pathname: "/items/1",
    primaryVersion: "stable",
    primaryStatus: 200,
    mirrorStatus: 200,
    differences: [],
    ...over,
  };
}

describe("the mirror recorder", () => {
  it("counts matches, mismatches and failures per second and path, with a few samples", () => {
    const recorder = new MirrorRecorder();
    const diff = [{ where: "body price", primary: "10", mirror: "12" }];
    for (let i = 0; i < 5; i++)
      recorder.record(outcome({ pathname: `/items/${i}`, differences: i < 4 ? diff : [] }));
    recorder.record(outcome({ pathname: "/health", mirrorStatus: null }));
    const [batch, ...rest] = recorder.drain();
    expect(rest).toEqual([]);
    expect(MirrorBatch.parse(batch)).toMatchObject({
      compared: 5,
      mismatched: 4,
      failed: 1,
      paths: [{ path: "/items/:id", compared: 5, mismatched: 4 }],
    });
    expect(batch?.samples).toHaveLength(3);
    expect(batch?.samples[0]).toMatchObject({ path: "/items/:id", differences: diff });
    expect(recorder.holding).toBe(false);
  });

  it("keeps its paths bounded: beyond 50 a batch counts the rest under (other)", () => {
    const recorder = new MirrorRecorder();
    for (let i = 0; i < 80; i++) recorder.record(outcome({ pathname: `/p${i}` }));
    const [batch] = recorder.drain();
    expect(batch?.paths).toHaveLength(51);
    expect(batch?.paths.at(-1)).toEqual({ path: "(other)", compared: 30, mismatched: 0 });
  });
});
