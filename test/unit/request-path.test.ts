// What a fresh isolate evaluates to serve a request: the data plane as a Worker of its own
// (bench/workers/request-path.ts), bundled as wrangler bundles. No schema library at start-up
// (the route decoder is hand-written) and none of the control plane, admin API or status page.
// One import of a zod schema module for a constant brought zod back once: this catches it.
import { describe, expect, it } from "vitest";
import { bundleEntry } from "../../bench/lib/bundle.ts";

describe("the request path's bundle", () => {
  it("holds no zod and none of the control plane, the admin API or the status page", async () => {
    const { largestInputs } = await bundleEntry("bench/workers/request-path.ts");
    const parts = largestInputs.map((part) => part.input);
    expect(parts).not.toContain("zod");
    expect(parts.filter((part) => /^worker\/(admin|control-plane|ui)$/.test(part))).toEqual([]);
    expect(parts).toContain("worker/data-plane");
  }, 60_000);
});
