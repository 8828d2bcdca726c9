// What the CLI sends, against a stand-in admin API: a change is one request to its declared
// endpoint, with no read of the service before it (the Worker checks the revision only when asked
// to, with --if-revision).
import { describe, expect, it } from "vitest";
import { useFakeAdminApi } from "../test/support/fake-admin-api.ts";
import { runCli } from "../test/support/run-cli.ts";

const fake = useFakeAdminApi();
const cli = (...argv: string[]) =>
  runCli([...argv, "--url", fake.api.url], { env: { KEYSTONE_AUTHOR: "ana" } });
const changed = (revision: number) => ({ body: { name: "shop", revision, changed: true } });
const sent = () =>
  fake.api.seen.map(({ method, path, body }) => ({
    method,
    path,
    body: body ? JSON.parse(body) : undefined,
  }));

describe("a change is one request", () => {
  it("weights POSTs the split alone; --if-revision is the revision it must still be at", async () => {
    fake.api.answers.set("POST /services/shop/weights", changed(4));
    expect((await cli("weights", "shop", "stable=50", "canary=50")).code).toBe(0);
    expect(
      (await cli("weights", "shop", "stable=90", "canary=10", "--if-revision", "4")).code,
    ).toBe(0);
    expect(sent()).toEqual([
      {
        method: "POST",
        path: "/services/shop/weights",
        body: { split: { stable: 50, canary: 50 }, author: "ana" },
      },
      {
        method: "POST",
        path: "/services/shop/weights",
        body: { split: { stable: 90, canary: 10 }, baseRevision: 4, author: "ana" },
      },
    ]);
  });

  it("delete sends the DELETE alone, and names the revision a revert brings back", async () => {
    fake.api.answers.set("DELETE /services/shop", changed(5));
    const deleted = await cli("delete", "shop", "--yes", "--reason", "retired");
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toContain("keystone revert shop --to 4");
    expect(sent()).toEqual([
      { method: "DELETE", path: "/services/shop", body: { author: "ana", reason: "retired" } },
    ]);
  });

  it("revert POSTs the revision to restore alone", async () => {
    fake.api.answers.set("POST /services/shop/revert", changed(6));
    expect((await cli("revert", "shop", "--to", "2")).code).toBe(0);
    expect(sent()).toEqual([
      { method: "POST", path: "/services/shop/revert", body: { to: 2, author: "ana" } },
    ]);
  });

  it("a revert to the config already serving says nothing was stored, not 'restored as revision N'", async () => {
    fake.api.answers.set("POST /services/shop/revert", changed(6));
    expect((await cli("revert", "shop", "--to", "2")).stdout).toContain(
      "shop: revision 2 restored as revision 6",
    );
    fake.api.answers.set("POST /services/shop/revert", {
      body: { name: "shop", revision: 6, changed: false },
    });
    const same = await cli("revert", "shop", "--to", "6");
    expect(same.code).toBe(0);
    expect(same.stdout).toContain(
      "shop: already serves revision 6's config: nothing stored (revision 6, unchanged)",
    );
    expect(same.stdout).not.toContain("restored as");
  });

  it("path parameters are sent encoded, the query as declared", async () => {
    await cli("rollout", "explain", "a b/c", "--last", "3");
    expect(fake.api.seen.map((r) => r.path)).toEqual([
      "/services/a%20b%2Fc/rollout/verdicts?last=3",
    ]);
  });
});

describe("override-token", () => {
  it("prints the token once, on stdout: stderr, what a CI job logs, never carries it", async () => {
    const token = "v1.shop.canary.1796670118.c2lnbmF0dXJl";
    fake.api.answers.set("POST /services/shop/override-tokens", {
      body: { service: "shop", version: "canary", token, expiresAt: "2026-12-07T20:00:00.000Z" },
    });
    const minted = await cli("override-token", "shop", "canary", "--ttl", "30m");
    expect(minted.code, minted.stderr).toBe(0);
    expect(minted.stdout).toBe(`${token}\n`);
    expect(minted.stderr).toContain("valid until 2026-12-07T20:00:00.000Z");
    expect(minted.stderr).not.toContain(token);
    expect(sent()).toEqual([
      {
        method: "POST",
        path: "/services/shop/override-tokens",
        body: { version: "canary", ttl: "30m" },
      },
    ]);
  });
});
