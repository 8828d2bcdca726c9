// End to end, through the real CLI: a service deleted and applied again, two services swapping
// paths in one apply, what a promotion says afterwards, and warnings about missing secrets.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { ServiceInput } from "../../schemas/service.ts";
import {
  type E2eStack,
  startE2eStack,
  versionServed,
  waitForVersion,
} from "../support/e2e-stack.ts";

let stack: E2eStack;

function service(name: string, pathPrefix: string, split: Record<string, number>): ServiceInput {
  return {
    name,
    hosts: ["127.0.0.1"],
    pathPrefix,
    versions: {
      stable: { origin: stack.origins.stable.url, release: "v1" },
      canary: { origin: stack.origins.canary.url, release: "v2" },
    },
    baseline: "stable",
    split,
    sticky: { by: "none" },
    rollout: { strategy: "canary", steps: [{ weight: 50, bake: "10m" }] },
  };
}

const file = (name: string, ...services: ServiceInput[]) =>
  stack.writeFile(name, stringify({ services }));

beforeAll(async () => {
  // A Worker of its own, without NOTIFY_SECRET: `keystone get` warns about it.
  stack = await startE2eStack({ unset: ["NOTIFY_SECRET"] });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe("a service's life through keystone", () => {
  it("delete, then apply of the same file creates the service again, its history kept", async () => {
    const path = file("life.yaml", service("life", "/", { stable: 100, canary: 0 }));
    expect((await stack.cli(["apply", "-f", path])).code).toBe(0);
    await waitForVersion(stack.url, "stable");

    const deleted = await stack.cli(["delete", "life", "--yes"]);
    expect(deleted.code, deleted.stderr).toBe(0);
    await waitForVersion(stack.url, null);

    const again = await stack.cli(["apply", "-f", path]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("life: revision 3 stored");
    await waitForVersion(stack.url, "stable");
    const { history } = JSON.parse((await stack.cli(["history", "life", "--json"])).stdout) as {
      history: { type: string; revision: number }[];
    };
    expect(history.map((h) => [h.type, h.revision])).toEqual([
      ["config.applied", 1],
      ["service.deleted", 2],
      ["config.applied", 3],
    ]);
  });

  it("get warns on stderr about a missing secret, and keeps stdout for the table", async () => {
    const got = await stack.cli(["get"]);
    expect(got.code).toBe(0);
    expect(got.stderr).toContain("warning: NOTIFY_SECRET is not set");
    expect(got.stdout).toMatch(
      /life\s+3\s+127\.0\.0\.1\s+stable=100 canary=0\s+stable=v1 canary=v2/,
    );
  });

  it("an operator's promotion says which release each track serves now", async () => {
    expect((await stack.cli(["rollout", "start", "life", "--release", "v3"])).code).toBe(0);
    const promoted = await stack.cli(["rollout", "promote", "life", "--full"]);
    expect(promoted.code, promoted.stderr).toBe(0);
    const status = await stack.cli(["rollout", "status", "life"]);
    expect(status.stdout).toContain("stable now serves release v3 (from canary)");
    expect(status.stdout).toContain("releases: stable v3 (100%), canary v3 (0%)");
    const history = await stack.cli(["history", "life"]);
    expect(history.stdout).toMatch(
      /promoted\s+\S+\s+.*stable now serves release v3 \(from canary\)/,
    );
    const json = JSON.parse((await stack.cli(["rollout", "status", "life", "--json"])).stdout) as {
      state: { startedAt: string; lastVerdict: { at: string } };
    };
    expect(json.state.startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(json.state.lastVerdict.at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("two services swap paths in one apply: it lands whole", async () => {
    const before = file(
      "paths.yaml",
      service("left", "/x", { stable: 100, canary: 0 }),
      service("right", "/y", { stable: 0, canary: 100 }),
    );
    expect((await stack.cli(["apply", "-f", before])).code).toBe(0);
    // Not "stable" at /x: until this table is live, "life" (path prefix "/", all on stable)
    // answers /x as well. Only "right" serves the canary, at /y.
    await waitForVersion(stack.url, "canary", { path: "/y/1" });
    const swapped = file(
      "swapped.yaml",
      service("left", "/y", { stable: 100, canary: 0 }),
      service("right", "/x", { stable: 0, canary: 100 }),
    );
    const applied = await stack.cli(["apply", "-f", swapped]);
    expect(applied.code, applied.stderr).toBe(0);
    await waitForVersion(stack.url, "canary", { path: "/x/1" });
    expect(await versionServed(stack.url, { path: "/y/1" })).toBe("stable");
  });
});
