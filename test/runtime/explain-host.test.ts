// `keystone explain SERVICE --host H` (docs/deploy.md, section 6: check what the data plane will
// do before routing a hostname to it): a host the data plane gives to another service, or to
// none, is said first, instead of an answer the request would never get.
import { describe, expect, it } from "vitest";
import { serviceOn } from "../support/workerd/faults.ts";
import { RolloutHarness } from "../support/workerd/rollout-harness.ts";

describe("explain with a service and a request host", () => {
  it("says when the host is not the service's: another service's, or nobody's (404)", async () => {
    const h = new RolloutHarness("explain-host");
    await h.apply(serviceOn("explain-host", "explain-host.test"));
    await h.apply(serviceOn("explain-other", "explain-other.test"));
    const explain = async (host: string, path?: string) =>
      (await (
        await h.api("POST", "/explain", { service: "explain-host", request: { host, path } })
      ).json()) as { version: string; why: string[] };

    expect((await explain("explain-host.test")).why[0]).not.toMatch(/^not what/);
    // The fully qualified form is the same host, as the data plane routes it.
    expect((await explain("Explain-Host.test.:443")).why[0]).not.toMatch(/^not what/);
    expect((await explain("explain-other.test")).why[0]).toBe(
      'not what explain-other.test/ gets: the data plane sends it to service "explain-other"; what follows is explain-host as if it served it',
    );
    const typo = await explain("explain-hots.test", "/cart");
    expect(typo.why[0]).toBe(
      "not what explain-hots.test/cart gets: no service serves it, so the data plane answers 404; what follows is explain-host as if it served it",
    );
    expect(typo.version).toBe("stable");
  });
});
