// During a deploy, Workers still on the release before call the objects (which run the newest code
// at once) the way that release did: with the object's name first. The call lands as meant, and a
// tick without a time is refused instead of stored as the rollout's last tick time.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { releaseObjectOf, serviceObjectOf } from "../../worker/contracts.ts";
import { serviceOn } from "../support/workerd/faults.ts";

/** A stub called as the release before called it: any arguments. */
type LegacyStub = Record<string, (...args: unknown[]) => Promise<unknown>>;

async function apply(name: string): Promise<void> {
  const response = await exports.default.fetch(`https://admin.test/_keystone/v1/services/${name}`, {
    method: "PUT",
    headers: { authorization: "Bearer test-admin-token", "content-type": "application/json" },
    body: JSON.stringify({ config: serviceOn(name, `${name}.upgrade.example`) }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

describe("calls from the release before (the name first)", () => {
  it("reach the service object's methods with the name dropped", async () => {
    await apply("legacy");
    const stub = serviceObjectOf(env, "legacy");
    const legacy = stub as unknown as LegacyStub;
    expect(await legacy.record!("legacy")).toEqual(await stub.record());
    expect(await legacy.history!("legacy")).toEqual(await stub.history());
    expect(await legacy.tick!("legacy", Date.now())).toEqual({
      ticked: false,
      why: "no rollout in progress",
    });
    const moved = (await legacy.execute!("legacy", {
      kind: "weights",
      split: { stable: 50, canary: 50 },
    })) as { ok: boolean };
    expect(moved.ok).toBe(true);
    expect((await stub.record())?.config.split).toEqual({ stable: 50, canary: 50 });
  });

  it("reach the release object's methods with the name dropped", async () => {
    const legacy = releaseObjectOf(env, "legacy-release") as unknown as LegacyStub;
    expect(await legacy.status!("legacy-release")).toMatchObject({
      ok: false,
      error: { message: 'no release named "legacy-release"' },
    });
  });

  it("a tick without a time is refused, and the service stays readable", async () => {
    await apply("untimed");
    const stub = serviceObjectOf(env, "untimed");
    const legacy = stub as unknown as LegacyStub;
    expect(await legacy.tick!("not-a-time")).toEqual({
      ticked: false,
      why: 'a tick needs a time, not "not-a-time"',
    });
    expect((await stub.rolloutStatus()).ok).toBe(true);
    expect(await releaseObjectOf(env, "r").tick(Number.NaN)).toMatchObject({ ticked: false });
  });
});
