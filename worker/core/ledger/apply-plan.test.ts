// An apply converges a service to the release its file names, under its policy: the pure ledger
// decision, from every place a pipeline can find a service in.
import { describe, expect, it } from "vitest";
import type { ApplyCommand, Command } from "../../../schemas/ledger.ts";
import { ServiceSpec } from "../../../schemas/service-spec.ts";
import { shopWithRollout, T0 } from "../../../test/support/ledger-fixtures.ts";
import { decide } from "./ledger.ts";
import { emptyState, type LedgerState } from "./state.ts";

const STEPS = [
  { weight: 10, bake: "1m" },
  { weight: 50, bake: "1m" },
];

function spec(release: string, overrides: Record<string, unknown> = {}): ServiceSpec {
  return ServiceSpec.parse({
    name: "shop",
    hosts: ["shop.example.com"],
    release: { name: release, origin: `http://${release.replaceAll(".", "-")}.internal` },
    rollout: { strategy: "canary", steps: STEPS, analysis: { minRequests: 10 } },
    ...overrides,
  });
}

const applyOf = (config: ServiceSpec, extra: Partial<ApplyCommand> = {}): ApplyCommand => ({
  kind: "apply",
  config,
  author: "ci",
  reason: "pipeline 7",
  ...extra,
});

function decided<C extends Command>(state: LedgerState, command: C, id = "r-new") {
  const result = decide(state, command, T0, { rolloutId: id });
  if (!result.ok) throw new Error(`${command.kind} refused: ${result.error.message}`);
  return result.value;
}

const live = (release = "v1", overrides = {}) =>
  decided(emptyState("shop"), applyOf(spec(release, overrides))).state;

function promoted(from = live(), to = "v2") {
  const started = decided(from, applyOf(spec(to)), "r-2").state;
  return decided(started, { kind: "rollout.promote", full: true }).state;
}

describe("apply of a file that names its release", () => {
  it("creates the service on it: both tracks on the release, the baseline at 100 %", () => {
    const created = decided(emptyState("shop"), applyOf(spec("v1")));
    const { versions, split } = created.state.config!;
    expect(versions.stable).toMatchObject({ origin: "http://v1.internal", release: "v1" });
    expect(versions.canary).toMatchObject({ origin: "http://v1.internal", release: "v1" });
    expect(split).toEqual({ stable: 100, canary: 0 });
    expect(created.reply.plan).toMatchObject({ outcome: "create" });
    expect(created.state.spec?.release).toEqual({ name: "v1", origin: "http://v1.internal" });
  });

  it("the same file again changes nothing: no revision, no event, no publication", () => {
    const state = live();
    const again = decided(state, applyOf(spec("v1")));
    expect(again.revisions).toEqual([]);
    expect(again.events).toEqual([]);
    expect(again.effects).toEqual([]);
    expect(again.reply).toMatchObject({ changed: false, revision: 1 });
    expect(again.reply.plan?.words).toBe(
      "no change (v1 serving since revision 1, when it was created)",
    );
  });

  it("a new release starts the policy's first step, as rollout start does, with the apply's author and reason", () => {
    const next = decided(live(), applyOf(spec("v2")));
    expect(next.state.rollout).toMatchObject({ id: "r-new", phase: "progressing", weight: 10 });
    expect(next.state.config!.versions.canary).toMatchObject({ release: "v2" });
    expect(next.state.config!.versions.stable).toMatchObject({ release: "v1" });
    expect(next.events.map((e) => [e.type, e.author, e.reason])).toEqual([
      ["config.applied", "ci", "pipeline 7"],
      ["rollout.started", "ci", "pipeline 7"],
    ]);
    expect(next.revisions).toHaveLength(1);
    expect(next.effects.filter((e) => e.kind === "publish")).toHaveLength(1);
    expect(next.reply.plan).toMatchObject({
      outcome: "rollout",
      rolloutId: "r-new",
      words: "would start a canary toward v2 (2 steps, threshold judge)",
    });
  });

  it("re-applying the release being rolled out leaves the rollout running", () => {
    const running = decided(live(), applyOf(spec("v2")), "r-2").state;
    const again = decided(running, applyOf(spec("v2")));
    expect(again.state.rollout).toEqual(running.rollout);
    expect(again.revisions).toEqual([]);
    expect(again.reply.plan?.words).toMatch(
      /^no change \(the canary toward v2 runs \(step 1 of 2 at 10 %\), left alone\)$/,
    );
  });

  it("re-applying the release of a paused rollout says it is paused, not that it runs", () => {
    const running = decided(live(), applyOf(spec("v2")), "r-2").state;
    const paused = { ...running, rollout: { ...running.rollout!, phase: "paused" as const } };
    const again = decided(paused, applyOf(spec("v2")));
    expect(again.state.rollout).toEqual(paused.rollout);
    expect(again.reply.plan?.words).toBe(
      "no change (the canary toward v2 is paused (step 1 of 2 at 10 %), left alone)",
    );
  });

  it("after the promotion the file (still naming v2) changes nothing: v2 serves, kept as state", () => {
    const state = promoted();
    expect(state.config!.versions.stable).toMatchObject({ release: "v2" });
    expect(state.serving?.current).toMatchObject({ name: "v2", how: "promoted", rolloutId: "r-2" });
    expect(state.serving?.past).toEqual([{ name: "v1", origin: "http://v1.internal" }]);
    const again = decided(state, applyOf(spec("v2")));
    expect(again.revisions).toEqual([]);
    expect(again.reply.plan?.words).toBe(
      `no change (v2 serving since revision ${state.revision}, when rollout r-2 promoted it)`,
    );
  });

  it("a file naming the release served before is refused, nothing stored; --force serves it", () => {
    const state = promoted();
    const refused = decide(state, applyOf(spec("v1")), T0, { rolloutId: "r-3" });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error).toMatchObject({
      code: "stale_release",
      message: expect.stringMatching(/would serve v1 while v2 serves since revision \d+/),
    });
    const forced = decided(state, applyOf(spec("v1"), { force: true }));
    expect(forced.state.rollout).toMatchObject({ phase: "progressing" });
    expect(forced.state.config!.versions.canary).toMatchObject({ release: "v1" });
  });

  it("a lower semantic version is behind even if it never served", () => {
    const state = live("v2.0.0");
    const refused = decide(state, applyOf(spec("v1.9.3")), T0, { rolloutId: "r" });
    expect(!refused.ok && refused.error.code).toBe("stale_release");
    expect(decided(state, applyOf(spec("v2.1.0"))).reply.plan?.outcome).toBe("rollout");
  });

  it("a build a newer one superseded mid-rollout is behind: its pipeline run again is refused, then and after the promotion", () => {
    // Git SHAs: nothing in the names says which build is newer; the order the pipelines ran does.
    const running = decided(live("0c1d2e3"), applyOf(spec("a1b2c3d")), "r-2").state;
    const superseded = decided(running, applyOf(spec("e4f5a6b")), "r-3");
    expect(superseded.state.serving?.overtaken).toEqual([
      {
        name: "a1b2c3d",
        origin: "http://a1b2c3d.internal",
        by: { name: "e4f5a6b", origin: "http://e4f5a6b.internal" },
        revision: superseded.state.revision,
      },
    ]);
    const during = decide(superseded.state, applyOf(spec("a1b2c3d")), T0, { rolloutId: "r" });
    expect(!during.ok && during.error).toMatchObject({
      code: "stale_release",
      message: expect.stringContaining(
        "would end the rollout toward e4f5a6b (step 1 of 2) to serve a1b2c3d, which is behind it",
      ),
    });
    const promotedState = decided(superseded.state, { kind: "rollout.promote", full: true }).state;
    const after = decide(promotedState, applyOf(spec("a1b2c3d")), T0, { rolloutId: "r" });
    expect(!after.ok && after.error).toMatchObject({
      code: "stale_release",
      message: expect.stringMatching(
        /would go back to a1b2c3d, which e4f5a6b replaced before it served \(revision \d+\); e4f5a6b serves since revision \d+, when rollout r-3 promoted it/,
      ),
    });
    // The promotion kept the memory; a newer build still rolls out, and --force goes back.
    expect(promotedState.serving?.overtaken?.map((o) => o.name)).toEqual(["a1b2c3d"]);
    expect(decided(promotedState, applyOf(spec("f7a8b9c"))).reply.plan?.outcome).toBe("rollout");
    const forced = decided(promotedState, applyOf(spec("a1b2c3d"), { force: true }));
    expect(forced.state.rollout).toMatchObject({ phase: "progressing" });
    expect(forced.state.config!.versions.canary).toMatchObject({ release: "a1b2c3d" });
  });

  it("a release is its name: one that served or was overtaken stays behind at a new origin; the serving one may move", () => {
    const at = (name: string, origin: string) =>
      spec(name, { release: { name, origin: `http://${origin}.internal` } });
    // A SHA-named build superseded mid-rollout, deployed again to fresh infrastructure.
    const running = decided(live("0c1d2e3"), applyOf(spec("a1b2c3d")), "r-2").state;
    const superseded = decided(running, applyOf(spec("e4f5a6b")), "r-3").state;
    const promotedState = decided(superseded, { kind: "rollout.promote", full: true }).state;
    for (const name of ["a1b2c3d", "0c1d2e3"]) {
      const moved = decide(promotedState, applyOf(at(name, "new-cluster")), T0, { rolloutId: "r" });
      expect(!moved.ok && moved.error.code, name).toBe("stale_release");
      expect(!moved.ok && moved.error.message, name).toMatch(
        name === "a1b2c3d"
          ? /would go back to a1b2c3d, which e4f5a6b replaced before it served/
          : /would serve 0c1d2e3 while e4f5a6b serves since revision \d+/,
      );
    }
    // What serves, at another origin: that release moved, rolled out as any new origin is.
    const rehomed = decided(promotedState, applyOf(at("e4f5a6b", "new-cluster")));
    expect(rehomed.reply.plan?.outcome).toBe("rollout");
    expect(rehomed.state.config!.versions.canary).toMatchObject({
      release: "e4f5a6b",
      origin: "http://new-cluster.internal",
    });
    // Moved again mid-rollout: it supersedes its own rollout without leaving its name behind,
    // and once promoted it may move once more.
    const again = decided(rehomed.state, applyOf(at("e4f5a6b", "third-cluster")), "r-5");
    expect(again.events[0]).toMatchObject({
      type: "rollout.aborted",
      reason: "superseded by e4f5a6b at http://third-cluster.internal",
    });
    expect(again.state.rollout).toMatchObject({ id: "r-5", phase: "progressing" });
    expect(again.state.serving?.overtaken?.map((o) => o.name)).toEqual(["a1b2c3d"]);
    const servedThere = decided(again.state, { kind: "rollout.promote", full: true }).state;
    const fourth = decided(servedThere, applyOf(at("e4f5a6b", "fourth-cluster")));
    expect(fourth.reply.plan?.outcome).toBe("rollout");
  });

  it("a rolled-back build is behind once a later build has been deployed past it", () => {
    const running = decided(live("0c1d2e3"), applyOf(spec("bad0001")), "r-2").state;
    const aborted = decided(running, { kind: "rollout.abort", reason: "errors" }).state;
    const next = decided(aborted, applyOf(spec("good002")), "r-3");
    expect(next.state.serving?.overtaken?.map((o) => [o.name, o.by.name])).toEqual([
      ["bad0001", "good002"],
    ]);
    const promotedState = decided(next.state, { kind: "rollout.promote", full: true }).state;
    const rerun = decide(promotedState, applyOf(spec("bad0001")), T0, { rolloutId: "r" });
    expect(!rerun.ok && rerun.error.message).toMatch(
      /would go back to bad0001, which good002 replaced before it served/,
    );
    // Forced back into service, it is no longer one that never served.
    const forced = decided(promotedState, applyOf(spec("bad0001"), { force: true }), "r-4").state;
    const back = decided(forced, { kind: "rollout.promote", full: true }).state;
    expect(back.serving?.overtaken ?? []).toEqual([]);
    expect(back.serving?.past.map((p) => p.name)).toContain("good002");
  });

  it("a newer release during a rollout ends it (superseded, no halt, no incident) and starts one toward it", () => {
    const running = decided(live(), applyOf(spec("v2")), "r-2").state;
    const next = decided(running, applyOf(spec("v3")), "r-3");
    expect(next.events.map((e) => [e.type, e.reason])).toEqual([
      ["rollout.aborted", "superseded by v3"],
      ["config.applied", "pipeline 7"],
      ["rollout.started", "pipeline 7"],
    ]);
    expect(next.effects.map((e) => e.kind)).not.toContain("halt");
    expect(next.incident).toBeUndefined();
    expect(next.state.rollout).toMatchObject({ id: "r-3", phase: "progressing", weight: 10 });
    expect(next.state.config!.versions.canary).toMatchObject({ release: "v3" });
    expect(next.reply.plan?.words).toBe(
      "would end the rollout toward v2 (superseded by v3) and start a canary toward v3 (2 steps, threshold judge)",
    );
  });

  it("during a rollout, a file still naming the release that serves is refused: it would end it", () => {
    const running = decided(live(), applyOf(spec("v2")), "r-2").state;
    const refused = decide(running, applyOf(spec("v1")), T0, { rolloutId: "r" });
    expect(!refused.ok && refused.error).toMatchObject({
      code: "stale_release",
      message: expect.stringContaining("would end the rollout toward v2 (step 1 of 2) to serve v1"),
    });
  });

  it("without a rollout policy, or with --now, a new release is switched to at once, and says so", () => {
    const bare = live("v1", { rollout: undefined });
    const switched = decided(bare, applyOf(spec("v2", { rollout: undefined })));
    expect(switched.state.rollout).toBeNull();
    expect(switched.state.config!.versions.stable).toMatchObject({ release: "v2" });
    expect(switched.reply.plan?.words).toBe("would switch 100 % to v2 now (no rollout policy)");
    const now = decided(live(), applyOf(spec("v2"), { instant: true }));
    expect(now.state.config!.versions.stable).toMatchObject({ release: "v2" });
    expect(now.reply.plan?.words).toBe("would switch 100 % to v2 now (--now)");
  });

  it("a release that was rolled back is not retried by re-applying the same file", () => {
    const running = decided(live(), applyOf(spec("v2")), "r-2").state;
    const aborted = decided(running, { kind: "rollout.abort", reason: "errors" }).state;
    const again = decided(aborted, applyOf(spec("v2")));
    expect(again.state.rollout?.phase).toBe("aborted");
    expect(again.reply.plan).toMatchObject({ outcome: "held" });
    expect(again.reply.plan?.words).toMatch(/^no change: v2 was aborted \(rollout r-2: /);
    const retried = decided(aborted, applyOf(spec("v2"), { force: true }));
    expect(retried.state.rollout).toMatchObject({ phase: "progressing" });
    // Rebuilt at another origin under the same name, it is still the release that failed.
    const rebuilt = spec("v2", { release: { name: "v2", origin: "http://v2-rebuilt.internal" } });
    expect(decided(aborted, applyOf(rebuilt)).reply.plan).toMatchObject({ outcome: "held" });
  });

  it("together, a new release is stored as desired and left to the file's release to start", () => {
    const next = decided(live(), applyOf(spec("v2"), { together: { release: "checkout" } }));
    expect(next.state.rollout).toBeNull();
    expect(next.state.spec?.release?.name).toBe("v2");
    expect(next.state.config!.versions.canary).toMatchObject({ release: "v1" });
    expect(next.reply.plan).toMatchObject({ outcome: "release", release: "checkout" });
  });
});

describe("together, over a rollout of its own", () => {
  it("a newer release ends the service's running rollout (superseded) and joins the file's release instead of promoting alone", () => {
    const running = decided(live(), applyOf(spec("v2")), "r-2").state;
    const next = decided(running, applyOf(spec("v3"), { together: { release: "checkout" } }));
    expect(next.events.map((e) => [e.type, e.reason])).toEqual([
      ["rollout.aborted", "superseded by v3"],
      ["config.applied", "pipeline 7"],
    ]);
    expect(next.effects.map((e) => e.kind)).not.toContain("halt");
    expect(next.incident).toBeUndefined();
    expect(next.state.rollout).toMatchObject({ id: "r-2", phase: "aborted" });
    expect(next.state.spec?.release?.name).toBe("v3");
    expect(next.reply.plan).toMatchObject({ outcome: "release", release: "checkout" });
    expect(next.reply.plan?.words).toBe(
      "would end the rollout toward v2 (superseded by v3) and roll v3 out in release checkout with the file's other new releases (held at the last step until all passed, promoted together)",
    );
    // Remembered as overtaken: the superseded build's pipeline run again is refused later.
    expect(next.state.serving?.overtaken?.map((o) => [o.name, o.by.name])).toEqual([["v2", "v3"]]);
  });
});

describe("a file that leaves the release to deploys (no release:, no track origins)", () => {
  it("keeps what serves and the release the last deploy named: no revision, no traffic moved", () => {
    const { release: _, ...policyOnly } = spec("v2");
    const state = promoted();
    const again = decided(state, applyOf(policyOnly as ServiceSpec));
    expect(again.revisions).toEqual([]);
    expect(again.state.spec?.release?.name).toBe("v2");
    expect(again.reply.plan?.words).toMatch(/^no change \(v2 serving since revision \d+/);
  });

  it("after a rollback on purpose (rollout start with the older origin), still no change: not refused for the release the last deploy named", () => {
    const { release: _, ...policyOnly } = spec("v2");
    const promotedV2 = promoted();
    const back = decided(promotedV2, {
      kind: "rollout.start",
      origin: "http://v1.internal",
      release: "v1",
    }).state;
    const state = decided(back, { kind: "rollout.promote", full: true }).state;
    expect(state.config!.versions.stable).toMatchObject({ release: "v1" });
    const again = decided(state, applyOf(policyOnly as ServiceSpec));
    expect(again.reply.plan).toMatchObject({ outcome: "unchanged" });
    expect(again.reply.plan?.words).toMatch(/^no change \(v1 serving since revision \d+/);
    expect(again.state.config!.versions.stable).toMatchObject({ release: "v1" });
    expect(again.state.rollout?.id).toBe(state.rollout?.id);
    // A split the file changes is stored, traffic staying on v1.
    const split = { stable: 90, canary: 10 };
    const moved = decided(state, applyOf({ ...policyOnly, split } as ServiceSpec));
    expect(moved.state.config!.versions.stable).toMatchObject({ release: "v1" });
    // The file naming v2 again is still refused: v2 served before.
    const named = decide(state, applyOf(spec("v2")), T0, { rolloutId: "r" });
    expect(!named.ok && named.error.code).toBe("stale_release");
  });

  it("a new service waits for its first deploy to name a release: nothing stored meanwhile", () => {
    const { release: _, ...policyOnly } = spec("v1");
    const pending = decided(emptyState("shop"), applyOf(policyOnly as ServiceSpec));
    expect(pending.revisions).toEqual([]);
    expect(pending.state.config).toBeNull();
    expect(pending.reply).toMatchObject({ changed: false, plan: { outcome: "pending" } });
    expect(pending.reply.plan?.words).toMatch(/^not created yet: the file names no release/);
  });
});

describe("blue/green: the colour that serves is state, not the file's", () => {
  const colours = (release: string) =>
    spec(release, { rollout: { strategy: "blueGreen", bake: "1m", analysis: {} } });

  it("after a switch to green the same file changes nothing; the next release goes to blue", () => {
    const created = decided(emptyState("shop"), applyOf(colours("v1"))).state;
    expect(created.config).toMatchObject({ baseline: "blue", split: { blue: 100, green: 0 } });
    const started = decided(created, applyOf(colours("v2")), "r-2").state;
    expect(started.rollout).toMatchObject({ candidate: "green" });
    const switched = decided(started, { kind: "rollout.promote", full: true }).state;
    expect(switched.config).toMatchObject({ baseline: "green", split: { green: 100, blue: 0 } });
    const again = decided(switched, applyOf(colours("v2")));
    expect(again.revisions).toEqual([]);
    const next = decided(switched, applyOf(colours("v3")), "r-3");
    expect(next.state.rollout).toMatchObject({ candidate: "blue", baseline: "green" });
    expect(next.state.config!.versions.blue).toMatchObject({ release: "v3" });
  });
});

describe("a file that gives its tracks origins (as before releases could be named)", () => {
  it("a new split in the file is said as one, never as traffic unchanged", () => {
    const created = decided(emptyState("shop"), {
      kind: "apply",
      config: shopWithRollout({ split: { stable: 100, canary: 0 } }),
    }).state;
    const moved = decided(created, {
      kind: "apply",
      config: shopWithRollout({ split: { stable: 90, canary: 10 } }),
    });
    expect(moved.state.config!.split).toEqual({ stable: 90, canary: 10 });
    expect(moved.reply.plan?.words).toMatch(
      /^would store revision 2, split stable=100 canary=0 → stable=90 canary=10 \(/,
    );
    expect(moved.reply.plan?.done).toMatch(/^split stable=100 canary=0 → stable=90 canary=10 \(/);
    // Another change that leaves the split alone moves no traffic by weight.
    const renamed = decided(moved.state, {
      kind: "apply",
      config: shopWithRollout({ split: { stable: 90, canary: 10 }, pathPrefix: "/shop" }),
    });
    expect(renamed.reply.plan?.words).toMatch(/^would store revision 3, traffic unchanged \(/);
  });

  it("re-applied after a promotion is refused instead of moving traffic back", () => {
    const file = shopWithRollout({ split: { stable: 100, canary: 0 } });
    const created = decided(emptyState("shop"), { kind: "apply", config: file }).state;
    const started = decided(created, {
      kind: "rollout.start",
      origin: "http://v2.internal",
      release: "v2",
    }).state;
    const state = decided(started, { kind: "rollout.promote", full: true }).state;
    const refused = decide(state, { kind: "apply", config: file }, T0, { rolloutId: "r" });
    expect(!refused.ok && refused.error).toMatchObject({
      code: "stale_release",
      message: expect.stringMatching(/would serve v1 \(on stable\) while v2 serves/),
    });
    expect(
      decided(state, { kind: "apply", config: file, force: true }).state.config!.versions.stable,
    ).toMatchObject({ release: "v1" });
  });
});
