// The local .dev.vars that `npm start` writes: every secret the Worker reads, so no `keystone get`
// warns about a local stack; an older file gains what it lacks and keeps what it has.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureLocalEnvFile, readEnvFile } from "../../scripts/stack.ts";

/** Every secret docs/deploy.md sets in production. */
const SECRETS = [
  "ADMIN_TOKEN",
  "READ_TOKEN",
  "OVERRIDE_SECRET",
  "NOTIFY_SECRET",
  "DEPLOY_WEBHOOK_SECRET",
  "AFFINITY_SECRET",
];

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "keystone-dev-vars-"));
  path = join(dir, ".dev.vars");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("the local .dev.vars", () => {
  it("a first npm start writes every secret of a deployment, readable by its owner only", () => {
    expect(ensureLocalEnvFile(path)).toBe(`created ${path} with fresh local tokens (git-ignored)`);
    const vars = readEnvFile(path);
    for (const name of SECRETS) expect(vars[name], name).toMatch(/^[\w-]{32}$/);
    expect(new Set(SECRETS.map((name) => vars[name])).size).toBe(SECRETS.length);
    expect(vars).toMatchObject({ ROUTE_REFRESH_SECONDS: "1", ADMIN_HOSTS: "*" });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("a file from before NOTIFY_SECRET and AFFINITY_SECRET gains both, named but not shown, and keeps its tokens", () => {
    const old = [
      "ADMIN_TOKEN=old-admin",
      "READ_TOKEN=old-read",
      "OVERRIDE_SECRET=old-override",
      "DEPLOY_WEBHOOK_SECRET=old-webhook",
      "ROUTE_REFRESH_SECONDS=1",
      "METRICS_FLUSH_SECONDS=1",
      "ADMIN_HOSTS=*",
    ];
    writeFileSync(path, `${old.join("\n")}\n`);
    expect(ensureLocalEnvFile(path)).toBe(
      `added NOTIFY_SECRET, AFFINITY_SECRET, BUCKET_SECRET, ROLLOUT_TICK_SECONDS=2 to ${path}`,
    );
    const vars = readEnvFile(path);
    expect(vars).toMatchObject({ ADMIN_TOKEN: "old-admin", READ_TOKEN: "old-read" });
    expect(vars.NOTIFY_SECRET).toMatch(/^[\w-]{32}$/);
    expect(vars.AFFINITY_SECRET).toMatch(/^[\w-]{32}$/);
    expect(vars.NOTIFY_SECRET).not.toBe(vars.AFFINITY_SECRET);
    expect(ensureLocalEnvFile(path)).toBeUndefined();
    expect(readFileSync(path, "utf8").startsWith(old.join("\n"))).toBe(true);
  });
});
