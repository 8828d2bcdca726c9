// apply and diff as the CLI runs them against a stand-in admin API: one POST /plan for the whole
// file (never a request per service), the admin API's 1 MiB limit checked before anything is
// sent, and the flags that set one service's release.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { configFile, preview } from "../test/support/cli-fixtures.ts";
import { useFakeAdminApi } from "../test/support/fake-admin-api.ts";
import { shopService } from "../test/support/fixtures.ts";
import { runCli } from "../test/support/run-cli.ts";

const fake = useFakeAdminApi();
const cli = (...argv: string[]) => runCli([...argv, "--url", fake.api.url, "--token", "t"]);

/** A file of `count` services (each named, on its own host). */
function manyServices(count: number, rulesEach = 0): string {
  const services = Array.from({ length: count }, (_, i) =>
    shopService({
      name: `svc-${i}`,
      hosts: [`svc-${i}.example.com`],
      rules: Array.from({ length: rulesEach }, (_, r) => ({
        name: `rule-${r}`,
        when: { header: { name: "x-long", equals: `${"v".repeat(200)}-${r}` } },
        route: "canary",
      })),
    }),
  );
  const path = join(configFile("dir-probe.yaml"), "..", `many-${count}-${rulesEach}.yaml`);
  writeFileSync(path, stringify({ services }));
  return path;
}

describe("apply and diff send one request for the whole file", () => {
  it("a file of 300 services is previewed in one POST /plan, not a request per service", async () => {
    const services = Array.from({ length: 300 }, (_, i) => ({
      ...preview(null, "create", `would create svc-${i}`).services[0]!,
      name: `svc-${i}`,
    }));
    fake.api.answers.set("POST /plan", { body: { services } });
    const result = await cli("diff", "-f", manyServices(300));
    expect(result.code, result.stderr).toBe(0);
    expect(fake.api.seen.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /plan"]);
    expect(JSON.parse(fake.api.seen[0]!.body).services).toHaveLength(300);
  });

  it("a file over the admin API's 1 MiB limit is refused before anything is sent, naming both sizes", async () => {
    const path = manyServices(200, 30);
    for (const command of [["diff"], ["apply"], ["apply", "--dry-run"]]) {
      const result = await cli(...command, "-f", path);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(
        /many-200-30\.yaml makes a request of 1\.\d\d MiB \([\d,]+ bytes\), over the admin API's limit of 1\.00 MiB \(1,048,576 bytes\)/,
      );
    }
    expect(fake.api.seen).toEqual([]);
  });
});

describe("setting one service's release", () => {
  it("--release and --origin set it in the file as it is sent, for --service", async () => {
    fake.api.answers.set("POST /plan", { body: preview(null, "create", "would create shop") });
    const path = configFile("one.yaml");
    const result = await cli(
      "diff",
      "-f",
      path,
      "--release",
      "v9",
      "--origin",
      "https://v9.internal",
    );
    expect(result.code, result.stderr).toBe(0);
    const sent = JSON.parse(fake.api.seen[0]!.body).services[0].config;
    expect(sent.release).toEqual({ name: "v9", origin: "https://v9.internal" });
    // Its release tracks leave their origin and label to it.
    expect(sent.versions.stable.origin).toBeUndefined();
    expect(sent.versions.canary.release).toBeUndefined();
  });

  it("is a usage error without its origin, for a service the file lacks, or with nothing to set", async () => {
    const path = configFile("usage.yaml");
    expect((await cli("diff", "-f", path, "--release", "v9")).stderr).toContain(
      "--release and --origin go together",
    );
    const missing = await cli(
      "diff",
      "-f",
      path,
      "--service",
      "web",
      "--release",
      "v9",
      "--origin",
      "https://x.internal",
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--service web: the file has no such service (shop)");
    const nothing = await cli("apply");
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain("give -f FILE, or --service with --release and --origin");
    expect(fake.api.seen).toEqual([]);
  });

  it("an --origin that is not an origin is an invalid value (exit 3), named", async () => {
    const path = configFile("bad-origin.yaml");
    const result = await cli("diff", "-f", path, "--release", "v9", "--origin", "ftp://x");
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('--origin "ftp://x": not an http(s) URL');
  });
});
