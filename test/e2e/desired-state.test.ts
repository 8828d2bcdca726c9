// End to end: the config file is the desired state. The docs' CI loop (apply the file on every
// deploy) around canary and blue/green promotions, with the real CLI against wrangler dev and real
// origins: the same file never moves traffic back, a new release starts the policy's first step,
// re-applying during a rollout leaves it running, a release behind the one serving is refused with
// nothing stored, and `keystone diff` says beforehand, in words and exit code, what apply does.
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { useStackWithFaultyOrigin } from "../support/e2e-stack.ts";
import { driveUntil } from "../support/rollout-driver.ts";

const setup = useStackWithFaultyOrigin("desired-state");

interface Answer {
  origin: string;
  release: string | undefined;
  /** The track the Worker chose (x-keystone-version as the origin got it). */
  track: string | undefined;
}

/** Which origin answered a request through the Worker, and the labels it was sent. */
async function answer(): Promise<Answer> {
  const response = await fetch(`${setup.stack.url}/`, {
    headers: { cookie: `ks_store=visitor-${Math.random()}` },
  });
  // Until the table carrying "store" is live (and between a delete and the apply after it), no
  // service answers: Keystone's 404 in plain text, which servedBy polls past instead of throwing.
  if (!response.ok)
    return {
      origin: `HTTP ${response.status} ${await response.text()}`,
      release: undefined,
      track: undefined,
    };
  const body = (await response.json()) as { origin: string; headers: Record<string, string> };
  return {
    origin: body.origin,
    release: body.headers["x-keystone-release"],
    track: body.headers["x-keystone-version"],
  };
}

/** Which origin answered, and the release label it was sent. */
async function served(): Promise<{ origin: string; release: string | undefined }> {
  const { origin, release } = await answer();
  return { origin, release };
}

/**
 * Polls until the data plane answers as expected: origin, track and release (publication and
 * isolate refresh). All three matter after a service is deleted and applied again: KV is written
 * at most once a second, so the first answers may still come from the table before the delete,
 * whose service may have served from the same origin, by another track or release.
 */
async function servedBy(expected: Answer): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (let last: Answer | undefined; Date.now() < deadline; ) {
    last = await answer();
    if (JSON.stringify(last) === JSON.stringify(expected)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the data plane did not answer as ${JSON.stringify(expected)} within 15 s`);
}

function storeFile(release: string, origin: string, rollout: Record<string, unknown>): string {
  const service = {
    name: "store",
    hosts: [setup.stack.host],
    release: { name: release, origin },
    rollout: { analysis: { minRequests: 20, maxErrorRatePercent: 5, failureLimit: 0 }, ...rollout },
  };
  return setup.stack.writeFile(`store-${release}.yaml`, stringify({ services: [service] }));
}

const cli = (...args: string[]) => setup.stack.cli(args);

async function revisionOf(service: string): Promise<number> {
  return JSON.parse((await cli("get", service, "--json")).stdout).revision;
}

async function rolloutOf(service: string) {
  return JSON.parse((await cli("rollout", "status", service, "--json")).stdout);
}

describe("the config file is the desired state", { timeout: 150_000 }, () => {
  it("canary: the pipeline run twice around a promotion never moves traffic back", async () => {
    const canary = { strategy: "canary", steps: [{ weight: 50, bake: "1s" }] };
    const v1 = storeFile("v1", setup.stack.origins.stable.url, canary);
    const v2 = storeFile("v2", setup.stack.origins.canary.url, canary);
    expect((await cli("apply", "-f", v1)).code).toBe(0);
    await servedBy({ origin: "stable", release: "v1", track: "stable" });

    // A new release: diff says what apply will do, apply starts the policy's first step.
    const diff = await cli("diff", "-f", v2, "--exit-code");
    expect(diff.code).toBe(6);
    expect(diff.stdout).toContain(
      "~ store (revision 1): would start a canary toward v2 (1 step, threshold judge)",
    );
    const started = await cli("apply", "-f", v2, "--reason", "deploy v2");
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toContain("✓ store: revision 2 stored: started a canary toward v2");
    const rollout = await rolloutOf("store");
    expect(rollout.state).toMatchObject({ phase: "progressing", weight: 50 });
    expect(rollout.split).toEqual({ stable: 50, canary: 50 });
    expect(rollout.desired).toEqual({ name: "v2", origin: setup.stack.origins.canary.url });
    expect(rollout.serving).toMatchObject({ name: "v1", how: "created" });
    const revision = await revisionOf("store");

    // The pipeline again during the rollout: left running, and it waits for the verdict.
    const again = await cli("diff", "-f", v2, "--exit-code");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("no change (the canary toward v2 runs (step 1 of 1 at 50 %)");
    const waited = await driveUntil(
      setup.stack.url,
      cli("apply", "-f", v2, "--wait", "--timeout", "60s", "--interval", "1s"),
      "/",
      "ks_store",
    );
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stdout).toContain("✓ store: promoted");
    expect((await rolloutOf("store")).state.id).toBe(rollout.state.id);
    await servedBy({ origin: "canary", release: "v2", track: "stable" });

    // After the promotion, the unchanged file is a no-op: no revision, no traffic moved.
    const promotedAt = await revisionOf("store");
    expect(promotedAt).toBe(revision + 1);
    const same = await cli("diff", "-f", v2, "--exit-code");
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(
      /= store \(revision \d+\): no change \(v2 serving since revision \d+, when rollout \w{8} promoted it\)/,
    );
    const reapplied = await cli("apply", "-f", v2);
    expect(reapplied.code, reapplied.stderr).toBe(0);
    expect(reapplied.stdout).toContain("nothing to apply");
    expect(await revisionOf("store")).toBe(promotedAt);
    expect(await served()).toEqual({ origin: "canary", release: "v2" });

    // A file naming the release that served before is refused, and nothing is stored.
    const behind = await cli("diff", "-f", v1);
    expect(behind.code).toBe(8);
    expect(behind.stdout).toMatch(
      /✗ store \(revision \d+\): refused: would serve v1 while v2 serves/,
    );
    const refused = await cli("apply", "-f", v1);
    expect(refused.code).toBe(8);
    expect(refused.stderr).toContain("apply would be refused, nothing stored");
    expect(await revisionOf("store")).toBe(promotedAt);
    expect(await served()).toEqual({ origin: "canary", release: "v2" });
  });

  it("blue/green: after the switch the same file changes nothing, and the next release goes to the idle colour", async () => {
    const blueGreen = { strategy: "blueGreen", bake: "1s" };
    const file = (release: string, origin: string) =>
      setup.stack.writeFile(
        `bg-${release}.yaml`,
        stringify({
          services: [
            {
              name: "store",
              hosts: [setup.stack.host],
              release: { name: release, origin },
              rollout: { analysis: { minRequests: 1, failureLimit: 0 }, ...blueGreen },
            },
          ],
        }),
      );
    const { stable, canary } = setup.stack.origins;
    expect((await cli("delete", "store", "--yes")).code).toBe(0);
    expect((await cli("apply", "-f", file("v1", stable.url))).code).toBe(0);
    const started = await cli("apply", "-f", file("v2", canary.url));
    expect(started.stdout).toContain("started a blue/green switch toward v2 (2 steps");
    expect((await rolloutOf("store")).state).toMatchObject({ candidate: "green", weight: 0 });
    expect((await cli("rollout", "promote", "store", "--full")).code).toBe(0);
    await servedBy({ origin: "canary", release: "v2", track: "green" });
    const switched = await revisionOf("store");

    const same = await cli("apply", "-f", file("v2", canary.url));
    expect(same.stdout).toMatch(/no change \(v2 serving since revision \d+, when rollout/);
    expect(await revisionOf("store")).toBe(switched);
    const back = await cli("apply", "-f", file("v1", stable.url));
    expect(back.code).toBe(8);
    expect(await served()).toEqual({ origin: "canary", release: "v2" });

    const next = await cli("apply", "-f", file("v3", setup.faulty.url));
    expect(next.code, next.stderr).toBe(0);
    expect((await rolloutOf("store")).state).toMatchObject({
      candidate: "blue",
      baseline: "green",
    });
    expect((await cli("rollout", "abort", "store")).code).toBe(0);
  });

  it("a newer release during a rollout ends it (history says why) and starts one toward it", async () => {
    const slow = { strategy: "canary", steps: [{ weight: 10, bake: "1h" }] };
    const { stable, canary } = setup.stack.origins;
    expect((await cli("delete", "store", "--yes")).code).toBe(0);
    expect((await cli("apply", "-f", storeFile("v1.0.0", stable.url, slow))).code).toBe(0);
    expect((await cli("apply", "-f", storeFile("v1.1.0", canary.url, slow))).code).toBe(0);
    const first = (await rolloutOf("store")).state.id;
    const v3 = storeFile("v1.2.0", setup.faulty.url, slow);
    const diff = await cli("diff", "-f", v3);
    expect(diff.stdout).toContain(
      "would end the rollout toward v1.1.0 (superseded by v1.2.0) and start a canary toward v1.2.0",
    );
    expect((await cli("apply", "-f", v3)).code).toBe(0);
    const next = await rolloutOf("store");
    expect(next.state).toMatchObject({ phase: "progressing", weight: 10 });
    expect(next.state.id).not.toBe(first);
    const history = JSON.parse((await cli("history", "store", "--json")).stdout).history as {
      type: string;
      reason: string | null;
    }[];
    expect(history.slice(-3).map((h) => h.type)).toEqual([
      "rollout.aborted",
      "config.applied",
      "rollout.started",
    ]);
    expect(history.at(-3)!.reason).toBe("superseded by v1.2.0");
    // A lower version than the one serving, never served, is behind it too.
    expect((await cli("apply", "-f", storeFile("v0.9.0", canary.url, slow))).code).toBe(8);
    expect((await cli("rollout", "abort", "store")).code).toBe(0);
  });

  it("git SHA builds: the pipeline of a build a newer one superseded, run again, is refused before and after the promotion", async () => {
    const slow = { strategy: "canary", steps: [{ weight: 10, bake: "1h" }] };
    const { stable, canary } = setup.stack.origins;
    expect((await cli("delete", "store", "--yes")).code).toBe(0);
    expect((await cli("apply", "-f", storeFile("0c1d2e3", stable.url, slow))).code).toBe(0);
    const older = storeFile("a1b2c3d", setup.faulty.url, slow);
    expect((await cli("apply", "-f", older)).code).toBe(0);
    expect((await cli("apply", "-f", storeFile("e4f5a6b", canary.url, slow))).code).toBe(0);
    const revision = await revisionOf("store");

    // The older job re-run (or finishing late) while the newer build rolls out.
    const during = await cli("apply", "-f", older);
    expect(during.code, during.stdout).toBe(8);
    expect(during.stderr).toContain(
      "would end the rollout toward e4f5a6b (step 1 of 1) to serve a1b2c3d, which is behind it",
    );
    expect(await revisionOf("store")).toBe(revision);

    expect((await cli("rollout", "promote", "store", "--full")).code).toBe(0);
    await servedBy({ origin: "canary", release: "e4f5a6b", track: "stable" });
    const diff = await cli("diff", "-f", older);
    expect(diff.code).toBe(8);
    expect(diff.stdout + diff.stderr).toMatch(
      /would go back to a1b2c3d, which e4f5a6b replaced before it served \(revision \d+\); e4f5a6b serves since revision \d+/,
    );
    const after = await cli("apply", "-f", older);
    expect(after.code, after.stdout).toBe(8);
    expect((await rolloutOf("store")).state.phase).toBe("promoted");
    expect(await served()).toEqual({ origin: "canary", release: "e4f5a6b" });
  });

  it("a deploy whose release was rolled back stays red when the pipeline runs it again", async () => {
    const canary = { strategy: "canary", steps: [{ weight: 50, bake: "1s" }] };
    await cli("delete", "store", "--yes"); // left by the test before, when it ran
    expect(
      (await cli("apply", "-f", storeFile("v1", setup.stack.origins.stable.url, canary))).code,
    ).toBe(0);
    const bad = storeFile("bad1", setup.faulty.url, canary);
    const deploy = () => cli("apply", "-f", bad, "--wait", "--timeout", "60s", "--interval", "1s");
    const first = await driveUntil(setup.stack.url, deploy(), "/", "ks_store");
    expect(first.code, first.stderr).toBe(10);
    const revision = await revisionOf("store");

    // "Re-run failed jobs": nothing is stored or started, and the job fails again, saying why.
    const rerun = await deploy();
    expect(rerun.code, rerun.stdout).toBe(10);
    expect(rerun.stderr).toMatch(/store: no change: bad1 was rolled back \(rollout \w{8}: /);
    expect(await revisionOf("store")).toBe(revision);
    expect((await rolloutOf("store")).state.phase).toBe("rolledBack");
  });

  it("without a rollout policy a new release is switched to at once, diff says so, and get -o yaml round-trips the file", async () => {
    const { stable, canary } = setup.stack.origins;
    const bare = (release: string, origin: string) =>
      setup.stack.writeFile(
        `bare-${release}.yaml`,
        stringify({
          services: [{ name: "bare", hosts: ["bare.test"], release: { name: release, origin } }],
        }),
      );
    expect((await cli("apply", "-f", bare("v1", stable.url))).code).toBe(0);
    const diff = await cli("diff", "-f", bare("v2", canary.url));
    expect(diff.stdout).toContain("would switch 100 % to v2 now (no rollout policy)");
    expect((await cli("apply", "-f", bare("v2", canary.url))).code).toBe(0);
    const record = JSON.parse((await cli("get", "bare", "--json")).stdout);
    expect(record.config.versions.stable).toMatchObject({ origin: canary.url, release: "v2" });
    expect(record.spec.release).toEqual({ name: "v2", origin: canary.url });
    // get -o yaml prints the file as applied, not the state: it applies again as a no-op.
    const yaml = await cli("get", "bare", "-o", "yaml");
    const asApplied = parse(yaml.stdout).services[0];
    expect(asApplied.release).toEqual({ name: "v2", origin: canary.url });
    expect(asApplied.versions.stable.origin).toBeUndefined();
    const roundTrip = await cli("apply", "-f", setup.stack.writeFile("bare-get.yaml", yaml.stdout));
    expect(roundTrip.stdout).toContain("nothing to apply");
    expect((await cli("delete", "bare", "--yes")).code).toBe(0);
  });
});

describe("several services, one file", { timeout: 150_000 }, () => {
  it("with together, the new releases it names roll out as one release, each rollout held for it", async () => {
    const { stable, canary } = setup.stack.origins;
    const file = (release: string, origin: string, together: boolean) =>
      setup.stack.writeFile(
        `together-${release}.yaml`,
        stringify({
          ...(together ? { together: { release: "checkout" } } : {}),
          services: ["checkout-api", "checkout-web"].map((name) => ({
            name,
            hosts: [setup.stack.host],
            pathPrefix: `/${name}`,
            release: { name: release, origin },
            rollout: { strategy: "canary", steps: [{ weight: 50, bake: "1h" }] },
          })),
        }),
      );
    expect((await cli("apply", "-f", file("v1", stable.url, true))).code).toBe(0);
    const diff = await cli("diff", "-f", file("v2", canary.url, true));
    expect(diff.stdout).toContain(
      "~ checkout-api (revision 1): would roll v2 out in release checkout",
    );
    expect(diff.stdout).toContain(
      "~ checkout-web (revision 1): would roll v2 out in release checkout",
    );
    const applied = await cli("apply", "-f", file("v2", canary.url, true));
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("✓ release checkout started");
    const status = JSON.parse((await cli("release", "status", "checkout", "--json")).stdout);
    expect(status.release).toMatchObject({ phase: "running", author: expect.any(String) });
    for (const name of ["checkout-api", "checkout-web"])
      expect((await rolloutOf(name)).state).toMatchObject({
        phase: "progressing",
        heldBy: { release: "checkout" },
      });
    // Applying it again while the release runs leaves it alone.
    const again = await cli("apply", "-f", file("v2", canary.url, true));
    expect(again.stdout).toContain("nothing to apply");
    expect((await cli("release", "abort", "checkout")).code).toBe(0);
    for (const name of ["checkout-api", "checkout-web"])
      expect((await cli("delete", name, "--yes")).code).toBe(0);
  });
});

describe("a file that gives its tracks origins (the issue's pipeline, as docs/ci.md had it)", {
  timeout: 150_000,
}, () => {
  it("re-applied after the promotion it started is refused, instead of sending all traffic back", async () => {
    const { stable, canary } = setup.stack.origins;
    const file = setup.stack.writeFile(
      "legacy.yaml",
      stringify({
        services: [
          {
            name: "legacy",
            hosts: ["legacy.test"],
            versions: {
              stable: { origin: stable.url, release: "v1" },
              canary: { origin: stable.url, release: "v1" },
            },
            baseline: "stable",
            split: { stable: 100, canary: 0 },
            rollout: { strategy: "canary", steps: [{ weight: 50, bake: "1s" }] },
          },
        ],
      }),
    );
    expect((await cli("apply", "-f", file)).code).toBe(0);
    const start = ["rollout", "start", "legacy", "--origin", canary.url, "--release", "v2"];
    expect((await cli(...start)).code).toBe(0);
    expect((await cli("rollout", "promote", "legacy", "--full")).code).toBe(0);
    const second = await cli("apply", "-f", file);
    expect(second.code).toBe(8);
    expect(second.stdout).toContain("refused: would serve v1 (on stable) while v2 serves");
    const record = JSON.parse((await cli("get", "legacy", "--json")).stdout);
    expect(record.config.versions.stable).toMatchObject({ origin: canary.url, release: "v2" });
    expect((await cli("apply", "-f", file, "--force")).code).toBe(0);
    // History says the apply was forced, and over which release.
    expect((await cli("history", "legacy")).stdout).toContain(
      "config applied, forced over v2 serving",
    );
    const { history } = JSON.parse((await cli("history", "legacy", "--json")).stdout);
    expect(history.findLast((e: { type: string }) => e.type === "config.applied")).toMatchObject({
      detail: { forced: true, forcedOver: { name: "v2", origin: canary.url } },
    });
    expect((await cli("delete", "legacy", "--yes")).code).toBe(0);
  });
});
