// Fault suite, items 9 and 10: small bounds on what the admin API mints, and the admin surface
// kept to its own hostnames.
import {
  createExecutionContext,
  listDurableObjectIds,
  runDurableObjectAlarm,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { MAX_REFUSALS_PER_MINUTE } from "../../worker/admin/auth.ts";
import { signDeployHook } from "../../worker/admin/deploy-hook-gate.ts";
import worker from "../../worker/index.ts";
import { SIGN_IN_MAX_BYTES } from "../../worker/ui/app.tsx";
import { type Echo, serviceOn } from "../support/workerd/faults.ts";
import { clearOfMinuteEnd } from "../support/workerd/refusal-minute.ts";

const ADMIN = { authorization: "Bearer test-admin-token", "content-type": "application/json" };

/** A request through the Worker's entry point, with ADMIN_HOSTS as a deployment would set it. */
async function call(url: string, adminHosts: string | undefined, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request(url, init) as Parameters<typeof worker.fetch>[0],
    { ...env, ADMIN_HOSTS: adminHosts },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}

beforeAll(async () => {
  // Through the admin API and the registry, as production publishes.
  const put = await call("https://admin.test/_keystone/v1/services/storefront", "*", {
    method: "PUT",
    headers: ADMIN,
    body: JSON.stringify({ config: serviceOn("storefront", "shop.test") }),
  });
  expect(put.status).toBe(200);
  await runDurableObjectAlarm(env.REGISTRY.get(env.REGISTRY.idFromName("registry")));
});

afterEach(() => vi.restoreAllMocks());

describe("item 9: override tokens live at most 7 days", () => {
  it("a longer TTL is refused as invalid, naming the field; 7 days is accepted", async () => {
    const service = serviceOn("overridden", "overridden.test");
    const put = await call("https://admin.test/_keystone/v1/services/overridden", "*", {
      method: "PUT",
      headers: ADMIN,
      body: JSON.stringify({ config: service }),
    });
    expect(put.status).toBe(200);
    const mint = (ttl: string) =>
      call("https://admin.test/_keystone/v1/services/overridden/override-tokens", "*", {
        method: "POST",
        headers: ADMIN,
        body: JSON.stringify({ version: "canary", ttl }),
      });
    const refused = await mint("8d");
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({
      error: { code: "invalid", problems: [{ path: "ttl", message: "at most 7 days (7d)" }] },
    });
    expect((await mint("7d")).status).toBe(200);
  });

  it("a misspelt version is refused with the one meant, and the versions there are", async () => {
    const refused = await call(
      "https://admin.test/_keystone/v1/services/storefront/override-tokens",
      "*",
      { method: "POST", headers: ADMIN, body: JSON.stringify({ version: "canry", ttl: "1h" }) },
    );
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({
      error: {
        code: "invalid",
        message: 'service "storefront" has no version "canry": did you mean "canary"?',
        problems: [{ path: "version", message: "one of stable, canary" }],
      },
    });
  });
});

describe("item 10: the admin surface answers on ADMIN_HOSTS only", () => {
  it("on other hosts /_keystone/* belongs to the data plane; unset, no host serves it", async () => {
    const onShop = await call("https://shop.test/_keystone/v1/services", "admin.test", {
      headers: ADMIN,
    });
    expect(onShop.headers.get("x-keystone-version")).toBe("stable");
    expect(((await onShop.json()) as Echo).path).toBe("/_keystone/v1/services");

    const onAdmin = await call("https://admin.test/_keystone/v1/services", "admin.test", {
      headers: ADMIN,
    });
    expect(onAdmin.status).toBe(200);
    expect(await onAdmin.json()).toHaveProperty("services");

    for (const path of ["/_keystone/health", "/_keystone/metrics", "/_keystone/v1/hooks/deploy"]) {
      const response = await call(`https://admin.test${path}`, undefined);
      expect(response.status, path).toBe(404);
      expect(await response.text()).toContain("keystone: no service is configured for admin.test");
    }
  });

  it("a refused token is counted and logged without the token", async () => {
    const warnings = vi.spyOn(console, "warn").mockImplementation(() => {});
    const counters = async () =>
      (await (
        await call("https://admin.test/_keystone/v1/isolate", "admin.test", { headers: ADMIN })
      ).json()) as { failedAdminAuth: number };
    const before = (await counters()).failedAdminAuth;
    const secret = "guessed-token-1234";
    const refused = await call("https://admin.test/_keystone/v1/services", "admin.test", {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(refused.status).toBe(401);
    expect((await counters()).failedAdminAuth).toBe(before + 1);
    const logged = warnings.mock.calls.map((c) => String(c[0])).join("\n");
    expect(logged).toContain("admin auth refused (wrong token): GET /_keystone/v1/services");
    expect(logged).not.toContain(secret);
  });
});

describe("item 20.5: sign-ins and the health endpoint", () => {
  const signIn = (token: string, ip: string) =>
    call("https://admin.test/_keystone/ui/sign-in", "admin.test", {
      method: "POST",
      headers: {
        origin: "https://admin.test",
        "content-type": "application/x-www-form-urlencoded",
        "cf-connecting-ip": ip,
      },
      body: new URLSearchParams({ token }).toString(),
    });
  const refusedCount = async () =>
    (
      (await (
        await call("https://admin.test/_keystone/v1/isolate", "admin.test", { headers: ADMIN })
      ).json()) as { failedAdminAuth: number }
    ).failedAdminAuth;

  it("a refused status-page sign-in is counted and logged without the token, and runs out like a bearer token", async () => {
    await clearOfMinuteEnd();
    const warnings = vi.spyOn(console, "warn").mockImplementation(() => {});
    const before = await refusedCount();
    const guess = "guessed-sign-in-token";
    expect((await signIn(guess, "198.51.100.20")).status).toBe(401);
    expect(await refusedCount()).toBe(before + 1);
    const logged = warnings.mock.calls.map((c) => String(c[0])).join("\n");
    expect(logged).toContain(
      "admin auth refused (wrong token at status-page sign-in): POST /_keystone/ui/sign-in from 198.51.100.20",
    );
    expect(logged).not.toContain(guess);
    // Nine more wrong guesses use up the address's minute, sign-ins and bearer tokens alike…
    for (let i = 0; i < MAX_REFUSALS_PER_MINUTE - 1; i++)
      await signIn(`guess-${i}`, "198.51.100.20");
    const slowed = await signIn("test-read-token", "198.51.100.20");
    expect(slowed.status).toBe(429);
    expect(slowed.headers.get("set-cookie")).toBeNull();
    const bearer = await call("https://admin.test/_keystone/v1/services", "admin.test", {
      headers: { ...ADMIN, "cf-connecting-ip": "198.51.100.20" },
    });
    expect(bearer.status).toBe(429);
    expect(await bearer.json()).toMatchObject({ error: { code: "too_many_attempts" } });
    // …while another address signs in.
    const other = await signIn("test-read-token", "198.51.100.21");
    expect(other.status).toBe(303);
  });

  it("bearer tokens guessed past the bound are refused before they are checked", async () => {
    await clearOfMinuteEnd();
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const guess = (token: string) =>
      call("https://admin.test/_keystone/v1/services", "admin.test", {
        headers: { authorization: `Bearer ${token}`, "cf-connecting-ip": "198.51.100.30" },
      });
    for (let i = 0; i < MAX_REFUSALS_PER_MINUTE; i++)
      expect((await guess(`g-${i}`)).status).toBe(401);
    expect((await guess("test-admin-token")).status).toBe(429);
  });

  it("GET /_keystone/health tells which secrets are missing to token holders only", async () => {
    const bare = { ...env, ADMIN_HOSTS: "*", NOTIFY_SECRET: undefined };
    const health = async (headers: Record<string, string>) => {
      const ctx = createExecutionContext();
      const response = await worker.fetch(
        new Request("https://admin.test/_keystone/health", { headers }) as Parameters<
          typeof worker.fetch
        >[0],
        bare,
        ctx,
      );
      await waitOnExecutionContext(ctx);
      return (await response.json()) as { ok: boolean; warnings: string[] };
    };
    expect(await health({})).toEqual({ ok: true, warnings: [] });
    expect(await health({ authorization: "Bearer not-a-token" })).toEqual({
      ok: true,
      warnings: [],
    });
    expect((await health({ authorization: "Bearer test-read-token" })).warnings).toEqual([
      "NOTIFY_SECRET is not set: notify events are sent unsigned (set the secret)",
    ]);
  });

  it("a wrong token at GET /_keystone/health is counted like a refused bearer token; past the bound no token is checked there", async () => {
    await clearOfMinuteEnd();
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const bare = { ...env, ADMIN_HOSTS: "*", NOTIFY_SECRET: undefined };
    const health = async (token: string) => {
      const ctx = createExecutionContext();
      const response = await worker.fetch(
        new Request("https://admin.test/_keystone/health", {
          headers: { authorization: `Bearer ${token}`, "cf-connecting-ip": "198.51.100.40" },
        }) as Parameters<typeof worker.fetch>[0],
        bare,
        ctx,
      );
      await waitOnExecutionContext(ctx);
      expect(response.status).toBe(200);
      return (await response.json()) as { ok: boolean; warnings: string[] };
    };
    const before = await refusedCount();
    expect(await health("health-guess-0")).toEqual({ ok: true, warnings: [] });
    expect(await refusedCount()).toBe(before + 1);
    for (let i = 1; i < MAX_REFUSALS_PER_MINUTE; i++) await health(`health-guess-${i}`);
    // The address has used up its minute: the right token tells it nothing more here…
    expect(await health("test-read-token")).toEqual({ ok: true, warnings: [] });
    // …nor anywhere else.
    const bearer = await call("https://admin.test/_keystone/v1/services", "admin.test", {
      headers: { ...ADMIN, "cf-connecting-ip": "198.51.100.40" },
    });
    expect(bearer.status).toBe(429);
  });
});

describe("item 20.5: reads of unknown services", () => {
  it("a read-token GET of a name nobody published reaches no Durable Object: 404, and no storage made", async () => {
    const READ = { authorization: "Bearer test-read-token" };
    const before = (await listDurableObjectIds(env.SERVICES)).length;
    const paths = [
      "/_keystone/v1/services/ghost-1",
      "/_keystone/v1/services/ghost-2/history",
      "/_keystone/v1/services/ghost-3/rollout",
      "/_keystone/v1/services/ghost-4/rollout/verdicts",
      "/_keystone/v1/services/ghost-5/incidents",
      "/_keystone/v1/services/ghost-6/incidents/abc",
      "/_keystone/v1/services/ghost-7/mirror",
    ];
    for (const path of paths) {
      const response = await call(`https://admin.test${path}`, "*", { headers: READ });
      expect(response.status, path).toBe(404);
      expect(await response.json(), path).toMatchObject({ error: { code: "not_found" } });
    }
    const explained = await call("https://admin.test/_keystone/v1/explain", "*", {
      method: "POST",
      headers: { ...READ, "content-type": "application/json" },
      body: JSON.stringify({ service: "ghost-8", request: {} }),
    });
    expect(explained.status).toBe(404);
    expect((await listDurableObjectIds(env.SERVICES)).length).toBe(before);
    // A service that was published is read as before.
    const known = await call("https://admin.test/_keystone/v1/services/storefront/history", "*", {
      headers: READ,
    });
    expect(known.status).toBe(200);
  });

  it("a read-token plan of a file naming services nobody published reaches no Durable Object, and says they would be created", async () => {
    const before = (await listDurableObjectIds(env.SERVICES)).length;
    const planned = await call("https://admin.test/_keystone/v1/plan", "*", {
      method: "POST",
      headers: { authorization: "Bearer test-read-token", "content-type": "application/json" },
      body: JSON.stringify({
        services: ["ghost-plan-1", "ghost-plan-2", "ghost-plan-3"].map((name) => ({
          config: serviceOn(name, `${name}.test`),
        })),
      }),
    });
    expect(planned.status).toBe(200);
    const { services } = (await planned.json()) as {
      services: { name: string; revision: number; spec: unknown; plan: { outcome: string } }[];
    };
    expect(services.map((s) => [s.name, s.revision, s.spec, s.plan.outcome])).toEqual([
      ["ghost-plan-1", 0, null, "create"],
      ["ghost-plan-2", 0, null, "create"],
      ["ghost-plan-3", 0, null, "create"],
    ]);
    expect((await listDurableObjectIds(env.SERVICES)).length).toBe(before);
  });
});

describe("reads of unknown releases", () => {
  it("a GET or abort of a release nobody started reaches no Durable Object: 404, and no storage made", async () => {
    const before = (await listDurableObjectIds(env.RELEASES)).length;
    const status = await call("https://admin.test/_keystone/v1/releases/ghost-release", "*", {
      headers: { authorization: "Bearer test-read-token" },
    });
    expect(status.status).toBe(404);
    expect(await status.json()).toMatchObject({
      error: { code: "not_found", message: 'no release named "ghost-release"' },
    });
    const aborted = await call(
      "https://admin.test/_keystone/v1/releases/ghost-release-2/abort",
      "*",
      { method: "POST", headers: ADMIN, body: JSON.stringify({ author: "ana" }) },
    );
    expect(aborted.status).toBe(404);
    expect((await listDurableObjectIds(env.RELEASES)).length).toBe(before);
  });
});

/** A body streamed without a Content-Length (chunked), counting the bytes anyone read of it. */
function streamedBody(total: number, chunk = 16 * 1024) {
  let read = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (read >= total) return controller.close();
        const size = Math.min(chunk, total - read);
        read += size;
        controller.enqueue(new Uint8Array(size).fill(0x20));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, read: () => read };
}

describe("anonymous requests' bodies", () => {
  it("a body sent without a Content-Length is not read before the token is checked, nor on a 404", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const anonymous: [string, string, string, number][] = [
      ["PUT", "/_keystone/v1/services/storefront", "application/json", 401],
      ["POST", "/_keystone/v1/validate", "application/json", 401],
      ["POST", "/_keystone/mcp", "application/json", 401],
      ["POST", "/_keystone/ui/sign-out", "application/x-www-form-urlencoded", 303],
      ["POST", "/_keystone/no-such-endpoint", "application/json", 404],
    ];
    for (const [method, path, type, status] of anonymous) {
      const body = streamedBody(1024 * 1024);
      const response = await call(`https://admin.test${path}`, "*", {
        method,
        headers: {
          "content-type": type,
          origin: "https://admin.test",
          "cf-connecting-ip": "198.51.100.50",
        },
        body: body.stream,
      });
      expect(response.status, path).toBe(status);
      expect(body.read(), path).toBe(0);
    }
  });

  it("past the token, a streamed body over the bound is still refused with 413", async () => {
    for (const path of ["/_keystone/v1/services/storefront", "/_keystone/mcp"]) {
      const body = streamedBody(2 * 1024 * 1024);
      const response = await call(`https://admin.test${path}`, "*", {
        method: path.endsWith("mcp") ? "POST" : "PUT",
        headers: { ...ADMIN, accept: "application/json, text/event-stream" },
        body: body.stream,
      });
      expect(response.status, path).toBe(413);
      expect(await response.json(), path).toMatchObject({ error: { code: "too_large" } });
      expect(body.read(), path).toBeLessThanOrEqual(1024 * 1024 + 16 * 1024);
    }
  });
});

describe("the deploy webhook's gate", () => {
  const hook = (headers: Record<string, string>, body: ReadableStream | string) =>
    call("https://admin.test/_keystone/v1/hooks/deploy", "*", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });

  it("missing, stale or malformed signature headers are refused before the body is read, and counted", async () => {
    const warnings = vi.spyOn(console, "warn").mockImplementation(() => {});
    const now = String(Math.floor(Date.now() / 1000));
    const cases: Record<string, string>[] = [
      {},
      { "x-keystone-timestamp": "1000", "x-keystone-signature": `sha256=${"0".repeat(64)}` },
      { "x-keystone-timestamp": now, "x-keystone-signature": "sha256=nothex" },
      { "x-keystone-timestamp": now, "x-keystone-signature": "x".repeat(8 * 1024) },
    ];
    for (const [i, headers] of cases.entries()) {
      const body = streamedBody(1024 * 1024);
      const response = await hook(
        { ...headers, "cf-connecting-ip": `198.51.100.${60 + i}` },
        body.stream,
      );
      expect(response.status, String(i)).toBe(401);
      expect(body.read(), String(i)).toBe(0);
    }
    const logged = warnings.mock.calls.map((c) => String(c[0])).join("\n");
    expect(logged).toContain("admin auth refused (deploy webhook: the signature is not sha256=");
  });

  it("a well-formed wrong signature is counted; past the address's bound even a genuine one is refused (429)", async () => {
    await clearOfMinuteEnd();
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const ip = { "cf-connecting-ip": "198.51.100.70" };
    const timestamp = String(Math.floor(Date.now() / 1000));
    for (let i = 0; i < MAX_REFUSALS_PER_MINUTE; i++) {
      const forged = await hook(
        {
          ...ip,
          "x-keystone-timestamp": timestamp,
          "x-keystone-signature": `sha256=${"0".repeat(64)}`,
        },
        `{"service":"storefront","n":${i}}`,
      );
      expect(forged.status).toBe(401);
    }
    const raw = JSON.stringify({ service: "storefront" });
    const genuine = await hook(
      {
        ...ip,
        "x-keystone-timestamp": timestamp,
        "x-keystone-signature": signDeployHook("test-webhook-secret", timestamp, raw),
      },
      raw,
    );
    expect(genuine.status).toBe(429);
    expect(await genuine.json()).toMatchObject({ error: { code: "too_many_attempts" } });
  });
});

describe("the status page's sign-in form", () => {
  const signIn = (body: ReadableStream | string, ip: string) =>
    call("https://admin.test/_keystone/ui/sign-in", "*", {
      method: "POST",
      headers: {
        origin: "https://admin.test",
        "content-type": "application/x-www-form-urlencoded",
        "cf-connecting-ip": ip,
      },
      body,
    });

  it("a form over the sign-in bound is refused with 413, read no further than the bound", async () => {
    const body = streamedBody(1024 * 1024);
    const response = await signIn(body.stream, "198.51.100.80");
    expect(response.status).toBe(413);
    expect(body.read()).toBeLessThanOrEqual(SIGN_IN_MAX_BYTES + 16 * 1024);
    // A token and a page to go back to fit.
    const fits = new URLSearchParams({
      token: "test-read-token",
      returnTo: `/_keystone/ui/services/${"a".repeat(8 * 1024)}/incidents/1`,
    });
    expect((await signIn(fits.toString(), "198.51.100.80")).status).toBe(303);
  });

  it("past the address's bound the form is not read", async () => {
    await clearOfMinuteEnd();
    vi.spyOn(console, "warn").mockImplementation(() => {});
    for (let i = 0; i < MAX_REFUSALS_PER_MINUTE; i++)
      expect((await signIn(`token=guess-${i}`, "198.51.100.81")).status).toBe(401);
    const body = streamedBody(16 * 1024);
    expect((await signIn(body.stream, "198.51.100.81")).status).toBe(429);
    expect(body.read()).toBe(0);
  });
});
