// The admin API inside workerd: auth, validation envelope, revisions through the service Durable
// Object, publication through the registry to real KV, and the data plane following it.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DataPlane } from "../../worker/data-plane/handler.ts";
import { localShop } from "../support/workerd/publish.ts";
import { flushRegistry, readPublished } from "../support/workerd/route-kv.ts";

const ADMIN = { authorization: "Bearer test-admin-token" };
const READ = { authorization: "Bearer test-read-token" };

function api(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = ADMIN,
) {
  return exports.default.fetch(`https://admin.example.com/_keystone/v1${path}`, {
    method,
    headers: { ...headers, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function routedVersion(): Promise<string | null> {
  const plane = new DataPlane(env);
  const ctx = createExecutionContext();
  const response = await plane.fetch(new Request("https://shop.example.com/"), ctx);
  await waitOnExecutionContext(ctx);
  await response.arrayBuffer();
  return response.headers.get("x-keystone-version");
}

describe("auth", () => {
  it("401 without a token or with a wrong one, 403 for the read token on a change", async () => {
    const none = await api("GET", "/services", undefined, {});
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    expect(
      (await api("GET", "/services", undefined, { authorization: "Bearer nope" })).status,
    ).toBe(401);
    expect((await api("GET", "/services", undefined, READ)).status).toBe(200);
    const forbidden = await api("PUT", "/services/shop", { config: localShop() }, READ);
    expect(forbidden.status).toBe(403);
    expect((await api("GET", "/services/shop", undefined, READ)).status).toBe(404);
  });
});

describe("changes", () => {
  it("apply stores revision 1, publishes to KV, and the data plane follows", async () => {
    const applied = await api("PUT", "/services/shop", {
      config: localShop(),
      baseRevision: 0,
      author: "ci",
      reason: "first",
    });
    expect(await applied.json()).toMatchObject({ name: "shop", revision: 1, changed: true });
    const doc = await readPublished();
    expect(doc.services.map((s) => s.name)).toEqual(["shop"]);
    expect(await routedVersion()).toBe("stable");

    const again = await api("PUT", "/services/shop", { config: localShop(), baseRevision: 1 });
    expect(await again.json()).toMatchObject({ name: "shop", revision: 1, changed: false });
  });

  it("a change based on a stale revision is refused with 409", async () => {
    const stale = await api("POST", "/services/shop/weights", {
      split: { stable: 50, canary: 50 },
      baseRevision: 0,
    });
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { error: { message: string } }).error.message).toMatch(
      /at revision 1/,
    );
  });

  it("weights make a new revision; revert restores the earlier one exactly", async () => {
    const moved = await api("POST", "/services/shop/weights", {
      split: { stable: 0, canary: 100 },
      baseRevision: 1,
    });
    expect(((await moved.json()) as { revision: number }).revision).toBe(2);
    // The registry coalesces KV writes to one a second; run its alarm to flush now.
    await flushRegistry();
    expect(await routedVersion()).toBe("canary");

    await api("POST", "/services/shop/revert", { to: 1, baseRevision: 2 });
    await flushRegistry();
    expect(await routedVersion()).toBe("stable");
    const record = (await (await api("GET", "/services/shop")).json()) as {
      revision: number;
      config: { split: unknown };
    };
    expect(record.revision).toBe(3);
    expect(record.config.split).toEqual({ stable: 100, canary: 0 });
  });

  it("an invalid body lists every problem with its path and stores nothing", async () => {
    const bad = await api("PUT", "/services/shop", {
      config: { ...localShop(), split: { stable: 90, canary: 5 }, baseline: "prod" },
    });
    expect(bad.status).toBe(422);
    const { error } = (await bad.json()) as { error: { problems: { path: string }[] } };
    expect(error.problems.map((p) => p.path).sort()).toEqual(["config.baseline", "config.split"]);
    expect(
      ((await (await api("GET", "/services/shop")).json()) as { revision: number }).revision,
    ).toBe(3);
  });

  it("a body nested past the bound (a rule of 5,000 nested nots) is refused naming where, and nothing is stored", async () => {
    const levels = 5000;
    const rules = [{ name: "deep", when: "@", route: "canary" }];
    const deep = `${'{"not":'.repeat(levels)}{"method":["GET"]}${"}".repeat(levels)}`;
    const body = JSON.stringify({ config: { ...localShop(), rules } }).replace('"@"', deep);
    const send = (path: string, method: string, text: string) =>
      exports.default.fetch(`https://admin.example.com/_keystone/v1${path}`, {
        method,
        headers: { ...ADMIN, "content-type": "application/json" },
        body: text,
      });
    const refused = await send("/services/shop", "PUT", body);
    expect(refused.status).toBe(422);
    const { error } = (await refused.json()) as { error: { problems: unknown[] } };
    expect(error.problems).toEqual([
      {
        path: "config.rules[0].when.not.not.not.not.not.not…",
        message: "nested deeper than 100 levels",
      },
    ]);
    expect(
      ((await (await api("GET", "/services/shop")).json()) as { revision: number }).revision,
    ).toBe(3);
    // validate answers the same problem as a file's, under services[0].
    const file = body.replace('{"config":', '{"services":[').replace(/}$/, "]}");
    const validated = await send("/validate", "POST", file);
    expect(validated.status).toBe(200);
    expect(await validated.json()).toEqual({
      valid: false,
      problems: [
        {
          path: "services[0].rules[0].when.not.not.not.not.not…",
          message: "nested deeper than 100 levels",
        },
      ],
    });
  });

  it("refuses a host another service already serves", async () => {
    const clash = await api("PUT", "/services/shop-copy", {
      config: { ...localShop(), name: "shop-copy" },
    });
    expect(clash.status).toBe(409);
    const { error } = (await clash.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("host_claimed");
    expect(error.message).toContain('already served by service "shop"');
  });

  it("history holds every revision with who and why", async () => {
    const { history } = (await (
      await api("GET", "/services/shop/history", undefined, READ)
    ).json()) as {
      history: { type: string; revision: number; author: string | null; reason: string | null }[];
    };
    expect(history.map((h) => [h.type, h.revision])).toEqual([
      ["config.applied", 1],
      ["weights.changed", 2],
      ["config.reverted", 3],
    ]);
    expect(history[0]).toMatchObject({ author: "ci", reason: "first" });
  });

  it("delete removes the service from routing and is recorded", async () => {
    const deleted = await api("DELETE", "/services/shop", { baseRevision: 3, reason: "retired" });
    expect(await deleted.json()).toEqual({ name: "shop", revision: 4, changed: true });
    await flushRegistry();
    expect((await api("GET", "/services/shop")).status).toBe(404);
    expect(await routedVersion()).toBeNull();
    const { history } = (await (await api("GET", "/services/shop/history")).json()) as {
      history: { type: string }[];
    };
    expect(history.at(-1)?.type).toBe("service.deleted");
  });

  it("a revert to the revision that deleted the service is invalid (422), and nothing is stored", async () => {
    const refused = await api("POST", "/services/shop/revert", { to: 4, baseRevision: 4 });
    expect(refused.status).toBe(422);
    const { error } = (await refused.json()) as { error: { code: string; message: string } };
    expect(error).toMatchObject({ code: "invalid" });
    expect(error.message).toContain('revision 4 of "shop" deleted the service');
    expect((await api("GET", "/services/shop")).status).toBe(404);
  });
});

describe("other endpoints", () => {
  it("refuses a body over the size limit with 413", async () => {
    const huge = await api("PUT", "/services/shop", {
      config: localShop(),
      reason: "x".repeat(2 * 1024 * 1024),
    });
    expect(huge.status).toBe(413);
  });

  it("serves an OpenAPI document generated from the schemas", async () => {
    const doc = (await (
      await exports.default.fetch("https://a/_keystone/v1/openapi.json")
    ).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/_keystone/v1/services/{name}/weights");
  });

  it("lists services a page at a time, in name order, with the next page's cursor", async () => {
    for (const name of ["page-c", "page-a", "page-b"]) {
      const put = await api("PUT", `/services/${name}`, {
        config: localShop({ name, hosts: [`${name}.example.com`] }),
      });
      expect(put.status, await put.text()).toBe(200);
    }
    type Page = { services: { name: string }[]; nextCursor?: string | null };
    const first = (await (await api("GET", "/services?limit=2", undefined, READ)).json()) as Page;
    expect(first.services.map((s) => s.name)).toEqual(["page-a", "page-b"]);
    expect(first.nextCursor).toBe("page-b");
    const rest = (await (
      await api("GET", `/services?limit=2&cursor=${first.nextCursor}`, undefined, READ)
    ).json()) as Page;
    expect(rest.services.map((s) => s.name)).toEqual(["page-c"]);
    expect(rest.nextCursor).toBeNull();
    const whole = (await (await api("GET", "/services", undefined, READ)).json()) as Page;
    expect(whole.services.map((s) => s.name)).toEqual(["page-a", "page-b", "page-c"]);
    const tooMany = await api("GET", "/services?limit=101", undefined, READ);
    expect(tooMany.status).toBe(422);
    expect(await tooMany.text()).toContain("at most 100 services a page");
  });

  it("a reason or author holding a terminal escape sequence is refused naming where; line breaks and tabs are kept", async () => {
    const created = await api("PUT", "/services/term", {
      config: localShop({ name: "term", hosts: ["term.example.com"] }),
    });
    expect(created.status, await created.clone().text()).toBe(200);
    const bad = await api("POST", "/services/term/weights", {
      split: { stable: 50, canary: 50 },
      baseRevision: 1,
      reason: "ship it\u001b]52;c;cm0gLXJmIH4=\u0007",
      author: "ci\u009b2J",
    });
    expect(bad.status).toBe(422);
    const { error } = (await bad.json()) as {
      error: { problems: { path: string; message: string }[] };
    };
    expect(error.problems).toEqual([
      {
        path: "author",
        message: expect.stringContaining("holds a control character (U+009B) at character 3"),
      },
      {
        path: "reason",
        message: expect.stringContaining("holds a control character (U+001B) at character 8"),
      },
    ]);
    expect(
      ((await (await api("GET", "/services/term")).json()) as { revision: number }).revision,
    ).toBe(1);
    // A commit message a pipeline passes on, as it is.
    const commit = "ship it\n\n\tfixes the cart\r\n";
    const ok = await api("POST", "/services/term/weights", {
      split: { stable: 50, canary: 50 },
      baseRevision: 1,
      reason: commit,
    });
    expect(ok.status, await ok.clone().text()).toBe(200);
    const { history } = (await (await api("GET", "/services/term/history")).json()) as {
      history: { reason: string | null }[];
    };
    expect(history.at(-1)?.reason).toBe(commit);
  });

  it("an unknown admin path gets the JSON envelope", async () => {
    const response = await api("GET", "/nope");
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      "GET /_keystone/v1/nope",
    );
  });
});
