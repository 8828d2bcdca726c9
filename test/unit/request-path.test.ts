// What a fresh isolate evaluates to serve a request: the data plane Worker
// (worker/data-plane/index.ts), bundled as wrangler bundles. No schema library in it at all (the
// route decoder is hand-written) and none of the control plane, admin API or status page.
// One import of a zod schema module for a constant brought zod back once: this catches it.
// The Worker's own entry (worker/index.ts) holds all of it, but loads everything beyond the data
// plane on first use (`import()`): its startup part must be the data plane alone.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { bundleEntry, startupInputs } from "../../bench/lib/bundle.ts";

describe("the request path's bundle", () => {
  it("the data plane Worker holds no zod, no hono and none of the control plane, the admin API or the status page", async () => {
    const { largestInputs } = await bundleEntry("worker/data-plane/index.ts");
    const parts = largestInputs.map((part) => part.input);
    expect(parts).not.toContain("zod");
    expect(parts).not.toContain("hono");
    expect(parts.filter((part) => /^worker\/(admin|control-plane|ui)$/.test(part))).toEqual([]);
    expect(parts).toContain("worker/data-plane");
  }, 60_000);

  it("the data plane Worker imports no Node module, and its config asks for no Node compatibility", async () => {
    // workerd evaluates Node's compatibility modules (node:crypto brings buffer, streams and
    // more) in every fresh isolate that imports one: about 5 ms before its first answer.
    const { script } = await bundleEntry("worker/data-plane/index.ts");
    expect(readFileSync(script, "utf8").match(/["'`]node:[a-z_/]+["'`]/g) ?? []).toEqual([]);
    const config = readFileSync("worker/data-plane/wrangler.toml", "utf8");
    expect(config).not.toMatch(/nodejs_compat/);
  }, 60_000);

  it("the data plane Worker evaluates RE2 only when a pattern needs it", async () => {
    const parts = (await startupInputs("worker/data-plane/index.ts")).map((part) => part.input);
    expect(parts).toContain("worker/data-plane");
    expect(parts).not.toContain("re2js");
  }, 60_000);

  it("the Worker's entry evaluates at startup no zod, no RE2, no object logic, no cron, no admin API", async () => {
    const parts = (await startupInputs("worker/index.ts")).map((part) => part.input);
    expect(parts).toContain("worker/data-plane");
    expect(parts).toContain("worker/durable-objects.ts");
    const loadedOnFirstUse = parts.filter(
      (part) =>
        ["zod", "re2js", "hono", "worker/cron.ts"].includes(part) ||
        /^worker\/(admin|control-plane|ui)$/.test(part),
    );
    expect(loadedOnFirstUse).toEqual([]);
  }, 60_000);
});
