// The data plane inside workerd, with real KV, in front of real local origin servers.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { signOverride } from "../../worker/core/override.ts";
import { DataPlane } from "../../worker/data-plane/handler.ts";
import { localShop, publish } from "../support/workerd/publish.ts";

interface Echo {
  origin: string;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  bodyLength: number;
  bodySha256: string;
}

const plane = new DataPlane(env);

async function send(path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await plane.fetch(new Request(`https://shop.example.com${path}`, init), ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

beforeAll(async () => {
  await publish(localShop());
});

describe("proxying to the chosen version", () => {
  it("routes by the config stored in KV, and rules reach the other origin", async () => {
    const stable = (await (await send("/")).json()) as Echo;
    expect(stable.origin).toBe("stable");
    const canary = (await (await send("/", { headers: { "x-canary": "always" } })).json()) as Echo;
    expect(canary.origin).toBe("canary");
  });

  it("a 1 MiB POST body arrives byte-identical", async () => {
    const body = new Uint8Array(1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31 + 7) & 0xff;
    const echo = (await (await send("/upload", { method: "POST", body })).json()) as Echo;
    expect(echo.method).toBe("POST");
    expect(echo.bodyLength).toBe(body.length);
    expect(echo.bodySha256).toBe(await sha256Hex(body));
  });

  it("keeps path, query and headers intact and adds the origin-bound headers", async () => {
    const echo = (await (
      await send("/a/b%20c?x=1&y=two&x=3", {
        headers: { "x-request-id": "abc-123", accept: "text/csv" },
      })
    ).json()) as Echo;
    expect(echo.path).toBe("/a/b%20c");
    expect(echo.query).toBe("?x=1&y=two&x=3");
    expect(echo.headers["x-request-id"]).toBe("abc-123");
    expect(echo.headers.accept).toBe("text/csv");
    expect(echo.headers["x-keystone-version"]).toBe("stable");
    expect(echo.headers["x-keystone-release"]).toBe("v1.0.0");
    expect(echo.headers["x-forwarded-host"]).toBe("shop.example.com");
    expect(echo.headers["x-forwarded-proto"]).toBe("https");
  });

  it("a client's x-keystone-* headers never reach the origin", async () => {
    const echo = (await (
      await send("/", {
        headers: {
          "x-keystone-version": "canary",
          "x-keystone-experiment": "x=y",
          "X-Keystone-Anything": "1",
        },
      })
    ).json()) as Echo;
    expect(echo.origin).toBe("stable");
    expect(echo.headers["x-keystone-version"]).toBe("stable");
    expect(echo.headers["x-keystone-experiment"]).toBeUndefined();
    expect(echo.headers["x-keystone-anything"]).toBeUndefined();
  });

  for (const status of [204, 304, 404, 503]) {
    it(`passes a ${status} through`, async () => {
      const response = await send(`/status/${status}`);
      expect(response.status).toBe(status);
      expect(response.headers.get("x-origin")).toBe("stable");
      await response.arrayBuffer();
    });
  }

  it("returns a 302 unfollowed", async () => {
    const response = await send("/redirect");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/elsewhere");
  });

  it("streams a response: the first chunk arrives before the origin has finished", async () => {
    const response = await send("/stream");
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe("first chunk\n");
    // The origin holds the rest until released, so the first chunk cannot have been buffered.
    await fetch(`${env.STABLE_ORIGIN}/release`);
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += new TextDecoder().decode(chunk.value);
    }
    expect(rest).toBe("second chunk\n");
  });

  it("the timeout covers the wait for headers only: a body still streaming after it arrives whole", async () => {
    const response = await send("/stream", { headers: { "x-canary": "always" } });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    await reader.read();
    // The canary's timeout is 500 ms: hold the rest of the body well past it.
    await new Promise((resolve) => setTimeout(resolve, 900));
    await fetch(`${env.CANARY_ORIGIN}/release`);
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += new TextDecoder().decode(chunk.value);
    }
    expect(rest).toBe("second chunk\n");
  });

  it("tells the client the version and sets the sticky cookie once", async () => {
    const first = await send("/");
    expect(first.headers.get("x-keystone-version")).toBe("stable");
    const cookie = first.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(
      /^ks_shop=[0-9a-f-]{36}; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Lax; Secure$/,
    );
    const again = await send("/", { headers: { cookie: cookie.split(";")[0]! } });
    expect(again.headers.get("set-cookie")).toBeNull();
    // The same visitor, its value quoted as RFC 6265 allows: still known, not given a new id.
    const [name, value] = cookie.split(";")[0]!.split("=");
    const quoted = await send("/", { headers: { cookie: `${name}="${value}"` } });
    expect(quoted.headers.get("set-cookie")).toBeNull();
    // Its cookie in the first of two Cookie headers, which the runtime joins with ", ": still
    // known, its value not swallowing the second header's cookies.
    const twoHeaders = new Headers();
    twoHeaders.append("cookie", `${name}=${value}`);
    twoHeaders.append("cookie", "theme=dark");
    expect(twoHeaders.get("cookie")).toBe(`${name}=${value}, theme=dark`);
    const joined = await send("/", { headers: twoHeaders });
    expect(joined.headers.get("set-cookie")).toBeNull();
  });
});

describe("an override token's answer", () => {
  const tokenFor = (service: string, version: string, expiresAt = Date.now() + 60_000) =>
    signOverride(env.OVERRIDE_SECRET!, { service, version, expiresAt });

  it("names the version and the release it reached, even with the version header off; other answers do not", async () => {
    await publish(localShop({ exposeVersionHeader: false }));
    await plane.cache.refresh(Date.now());
    try {
      const token = tokenFor("shop", "canary");
      // A pipeline's health check tells the release it deployed from the one before on the same
      // track (a table not yet everywhere) by this header: the client is told nothing else.
      const overridden = await send("/", { headers: { "x-keystone-override": token } });
      expect(((await overridden.json()) as Echo).origin).toBe("canary");
      expect(overridden.headers.get("x-keystone-version")).toBe("canary");
      expect(overridden.headers.get("x-keystone-release")).toBe("v2.0.0");
      const others: Record<string, Record<string, string>> = {
        none: {},
        rule: { "x-canary": "always" },
        forged: { "x-keystone-override": `${token}x` },
        expired: { "x-keystone-override": tokenFor("shop", "canary", Date.now() - 5_000) },
        "another service's": { "x-keystone-override": tokenFor("web", "canary") },
        "a version shop has not": { "x-keystone-override": tokenFor("shop", "blue") },
        oversized: { "x-keystone-override": `${token}${"A".repeat(2_000)}` },
      };
      for (const [what, headers] of Object.entries(others)) {
        const plain = await send("/", { headers });
        await plain.arrayBuffer();
        expect(plain.headers.get("x-keystone-version"), what).toBeNull();
        expect(plain.headers.get("x-keystone-release"), what).toBeNull();
      }
    } finally {
      await publish(localShop());
      await plane.cache.refresh(Date.now());
    }
  });

  it("a version halted by a rollback is not forced: the baseline answers, naming no release", async () => {
    await publish(localShop({ exposeVersionHeader: false }));
    await plane.cache.refresh(Date.now());
    // This isolate heard of canary's halt; the table that carries the rollback is not here yet.
    plane.halted.learn("shop", "canary", { rolloutId: "r1", sequence: 1_000_000 }, 0);
    try {
      const diverted = await send("/", {
        headers: { "x-keystone-override": tokenFor("shop", "canary") },
      });
      expect(((await diverted.json()) as Echo).origin).toBe("stable");
      expect(diverted.headers.get("x-keystone-version")).toBeNull();
      expect(diverted.headers.get("x-keystone-release")).toBeNull();
    } finally {
      plane.halted.learn("shop", "canary", null, 0);
      await publish(localShop());
      await plane.cache.refresh(Date.now());
    }
  });
});

describe("WebSockets", () => {
  it("a 101 upgrade comes back as is, with its socket", async () => {
    const ctx = createExecutionContext();
    const response = await plane.fetch(
      new Request("https://shop.example.com/ws", { headers: { upgrade: "websocket" } }),
      ctx,
    );
    expect(response.status).toBe(101);
    const socket = response.webSocket!;
    const message = new Promise<unknown>((resolve) =>
      socket.addEventListener("message", (event) => resolve(event.data)),
    );
    socket.accept();
    expect(await message).toBe("hello from stable");
    socket.close();
  });

  it("a 101 the client did not ask for is the version's 502, not a response the runtime cannot send", async () => {
    const ctx = createExecutionContext();
    const response = await plane.fetch(
      new Request("https://shop.example.com/switch-protocols"),
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(502);
    expect(response.webSocket).toBeNull();
    const text = await response.text();
    expect(text).toMatch(/^keystone: version "stable" of service "shop" answered 101 /);
    expect(text).not.toContain(env.STABLE_ORIGIN);
  });
});

describe("geo rules", () => {
  it("see request.cf country, colo and ASN", async () => {
    await publish(
      localShop({
        rules: [
          { name: "de", when: { country: ["DE"] }, route: "canary" },
          {
            name: "lhr-asn",
            when: { all: [{ colo: ["LHR"] }, { asn: [64512] }] },
            route: "canary",
          },
        ],
      }),
    );
    await plane.cache.refresh(Date.now());
    const version = async (cf: Record<string, unknown>) => {
      const ctx = createExecutionContext();
      const response = await plane.fetch(new Request("https://shop.example.com/", { cf }), ctx);
      await response.arrayBuffer();
      return response.headers.get("x-keystone-version");
    };
    expect(await version({ country: "DE" })).toBe("canary");
    expect(await version({ country: "US" })).toBe("stable");
    expect(await version({ colo: "LHR", asn: 64512 })).toBe("canary");
    expect(await version({ colo: "LHR", asn: 1 })).toBe("stable");
    await publish(localShop());
    await plane.cache.refresh(Date.now());
  });
});

describe("query rules", () => {
  it("read the parameter as a URL's query means it: plain, +, percent-escaped, first one wins", async () => {
    await publish(
      localShop({
        rules: [
          { name: "debug", when: { query: { name: "debug", present: true } }, route: "canary" },
          { name: "phrase", when: { query: { name: "q", equals: "a b" } }, route: "canary" },
          { name: "accent", when: { query: { name: "lang", equals: "fr-é" } }, route: "canary" },
          { name: "page-2", when: { query: { name: "page", equals: "2" } }, route: "canary" },
        ],
      }),
    );
    await plane.cache.refresh(Date.now());
    const version = async (path: string) => {
      const response = await send(path);
      await response.arrayBuffer();
      return response.headers.get("x-keystone-version");
    };
    try {
      expect(await version("/?debug")).toBe("canary");
      expect(await version("/?x=1&debug=&y")).toBe("canary");
      expect(await version("/?debugging=1")).toBe("stable");
      // Read in place, these need decoding: URLSearchParams reads them.
      expect(await version("/?q=a+b")).toBe("canary");
      expect(await version("/?q=a%20b")).toBe("canary");
      expect(await version("/?q=a%2Bb")).toBe("stable");
      expect(await version("/?lang=fr-%C3%A9")).toBe("canary");
      expect(await version("/?lang=fr-é")).toBe("canary");
      expect(await version("/?page=2&page=3")).toBe("canary");
      expect(await version("/?page=3&page=2")).toBe("stable");
    } finally {
      await publish(localShop());
      await plane.cache.refresh(Date.now());
    }
  });
});

describe("origin failures", () => {
  it("a timeout gives 504 naming the version", async () => {
    const response = await send("/slow?delay=2000", { headers: { "x-canary": "always" } });
    expect(response.status).toBe(504);
    expect(await response.text()).toMatch(
      /^keystone: version "canary" of service "shop" did not answer within 500 ms \(request id [0-9a-f-]{36}\)\n$/,
    );
  });

  it("a refused connection gives 502 naming the version", async () => {
    await publish(
      localShop({
        versions: { stable: { origin: env.REFUSED_ORIGIN }, canary: { origin: env.CANARY_ORIGIN } },
      }),
    );
    await plane.cache.refresh(Date.now());
    const response = await send("/");
    expect(response.status).toBe(502);
    expect(await response.text()).toMatch(
      /^keystone: version "stable" of service "shop" could not be reached \(request id [0-9a-f-]{36}\)\n$/,
    );
    await publish(localShop());
    await plane.cache.refresh(Date.now());
  });
});

describe("the deployed entry point", () => {
  it("serves through the Worker's default export", async () => {
    const response = await exports.default.fetch("https://shop.example.com/status/204");
    expect(response.status).toBe(204);
    expect(response.headers.get("x-keystone-version")).toBe("stable");
  });

  it("a fully qualified host (trailing dot) reaches the same service, its Host passed as sent", async () => {
    const response = await exports.default.fetch("https://shop.example.com./a", {
      headers: { "x-canary": "always" },
    });
    expect(response.status).toBe(200);
    const echo = (await response.json()) as Echo;
    expect(echo.origin).toBe("canary");
    expect(echo.headers["x-forwarded-host"]).toBe("shop.example.com.");
  });
});
