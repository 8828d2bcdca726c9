// Fault suite, items 4, 5, 6 and 8: hostile requests and failing origins affect that request only,
// and nothing internal reaches the public wire.
import { env } from "cloudflare:workers";
import { RE2JS } from "re2js";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { MAX_REGEX_PROGRAM } from "../../schemas/condition.ts";
import { ConfigFile } from "../../schemas/config-file.ts";
import { formatProblems, problemsOf } from "../../schemas/problems.ts";
import { compileRegex } from "../../worker/core/matchers.ts";
import { loadRegexEngine } from "../../worker/core/regex-engine.ts";
import { DataPlane } from "../../worker/data-plane/handler.ts";
import { type Echo, entryOf, publishRaw, send, serviceOn } from "../support/workerd/faults.ts";

const plane = new DataPlane(env);
const ask = (path: string, init: RequestInit = {}) => send(plane, `https://req.test${path}`, init);
const echo = async (path: string, init: RequestInit = {}) =>
  (await (await ask(path, init)).json()) as Echo;

function problemsFor(extra: Record<string, unknown>): string {
  const parsed = ConfigFile.safeParse({
    services: [{ ...serviceOn("bad", "bad.test"), ...extra }],
  });
  return parsed.success ? "" : formatProblems(problemsOf(parsed.error));
}

/** The services every test here is served by (a later publication keeps them: it replaces all). */
const served = () => [
  entryOf(
    serviceOn("req", "req.test", {
      pathPrefix: "/api",
      rules: [
        {
          name: "redos",
          when: { header: { name: "x-probe", regex: "^(a+)+$" } },
          route: "canary",
        },
        { name: "foo", when: { path: { prefix: "/api/foo" } }, route: "canary" },
      ],
    }),
  ),
  entryOf(
    serviceOn("replaced", "replaced.test", {
      forwardedFor: "replace",
      versions: { stable: { origin: `${env.STABLE_ORIGIN}/base/`, release: "v1" } },
      split: { stable: 100 },
      rules: [],
    }),
  ),
  entryOf(
    serviceOn("broken-origins", "broken.test", {
      versions: {
        stable: { origin: env.REFUSED_ORIGIN },
        canary: { origin: env.SLOW_ORIGIN, timeoutMs: 200 },
      },
    }),
  ),
];

beforeAll(async () => {
  await publishRaw(served());
});

afterEach(() => vi.restoreAllMocks());

describe("item 4: linear-time matching", () => {
  it("^(a+)+$ against a long header answers, on a linear-time engine", async () => {
    await loadRegexEngine();
    expect(compileRegex("^(a+)+$")).toBeInstanceOf(RE2JS);
    // Exponential on a backtracking engine: 2^4000 paths before it could say no.
    const hostile = await ask("/api/x", { headers: { "x-probe": `${"a".repeat(4000)}!` } });
    expect(hostile.headers.get("x-keystone-version")).toBe("stable");
    const matching = await ask("/api/x", { headers: { "x-probe": "a".repeat(40) } });
    expect(matching.headers.get("x-keystone-version")).toBe("canary");
    // Past the 4096-character cap a value matches no regex.
    const long = await ask("/api/x", { headers: { "x-probe": "a".repeat(5000) } });
    expect(long.headers.get("x-keystone-version")).toBe("stable");
  });

  it("a backreference or lookaround is refused at validation, naming the path", () => {
    const rule = (regex: string) => ({
      rules: [{ name: "r", when: { header: { name: "x", regex } }, route: "canary" }],
    });
    expect(problemsFor(rule("(a)\\1"))).toMatch(
      /^services\[0\]\.rules\[0\]\.when\.header\.regex: regex does not compile on the linear-time engine .*\\1/,
    );
    expect(problemsFor(rule("a(?=b)"))).toContain("services[0].rules[0].when.header.regex");
  });

  it("a regex whose compiled program is huge is refused at validation, naming the rule", () => {
    // 24 characters, 9,003 RE2 instructions: about a second of CPU per 4 KB header.
    const hostile = "(a|b|ab|ba){1000}[^ab]";
    expect(RE2JS.compile(hostile).programSize()).toBeGreaterThan(MAX_REGEX_PROGRAM);
    const problems = problemsFor({
      rules: [
        {
          name: "ok",
          when: { header: { name: "x", regex: "^[a-z0-9-]{1,64}$" } },
          route: "canary",
        },
        {
          name: "beta",
          when: { any: [{ path: { prefix: "/a" } }, { cookie: { name: "c", regex: hostile } }] },
          route: "canary",
        },
      ],
      experiments: [
        {
          name: "exp",
          when: { not: { query: { name: "q", regex: hostile } } },
          variants: { a: { weight: 100 } },
        },
      ],
    });
    expect(problems).toContain(
      'services[0].rules[1].when.any[1].cookie.regex: rule "beta": regex compiles to 9003 RE2 instructions, more than 1000',
    );
    expect(problems).toContain(
      'services[0].experiments[0].when.not.query.regex: experiment "exp": regex compiles to 9003',
    );
    expect(problems).not.toContain("rules[0]");
  });

  it("a stored entry with such a regex is refused by the data plane; the others route", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const costly = serviceOn("costly", "costly.test");
    costly.rules = [
      {
        name: "slow",
        when: { header: { name: "x-probe", regex: "(a|b|ab|ba){1000}[^ab]" } },
        route: "canary",
      },
    ];
    const bypassed = { name: "costly", sequence: 1, config: { ...costly, sticky: { by: "none" } } };
    const table = new DataPlane(env);
    await publishRaw([...served(), bypassed, entryOf(serviceOn("beside", "beside.test"))]);
    expect((await send(table, "https://beside.test/")).status).toBe(200);
    const refused = await send(table, "https://costly.test/", {
      headers: { "x-probe": "ab".repeat(2048) },
    });
    expect(refused.status).toBe(404);
    expect(table.counters().rejectedServices).toContain("costly");
  });
});

describe("item 5: header hygiene", () => {
  it("strips every spelling of x-keystone-*, hop-by-hop and Connection-named headers; appends to X-Forwarded-For", async () => {
    const seen = await echo("/api/h", {
      headers: {
        x_keystone_version: "canary",
        "X_Keystone-Experiment": "a=b",
        "x-keystone_release": "evil",
        connection: "x-internal-secret, keep-alive",
        "x-internal-secret": "1",
        "keep-alive": "timeout=5",
        "proxy-connection": "keep-alive",
        te: "trailers",
        "x-forwarded-for": "198.51.100.7",
        "cf-connecting-ip": "203.0.113.9",
      },
    });
    for (const name of [
      "x_keystone_version",
      "x_keystone-experiment",
      "x-keystone_release",
      "x-internal-secret",
      "keep-alive",
      "proxy-connection",
      "te",
    ])
      expect(seen.headers[name], name).toBeUndefined();
    expect(seen.headers["x-keystone-version"]).toBe("stable");
    expect(seen.headers["x-forwarded-for"]).toBe("198.51.100.7, 203.0.113.9");
    expect(seen.headers.forwarded).toBe('for=203.0.113.9;host="req.test";proto=https');
  });

  it("strips names that read as x-keystone-* once punctuation is dropped (lighttpd's CGI maps every one to _)", async () => {
    const spellings = [
      "x.keystone.version",
      "x~keystone~release",
      "xkeystone-experiment",
      "x--keystone.a",
      "x!keystone",
    ];
    const seen = await echo("/api/h", {
      headers: { ...Object.fromEntries(spellings.map((name) => [name, "evil"])), "x-key": "kept" },
    });
    for (const name of spellings) expect(seen.headers[name], name).toBeUndefined();
    expect(seen.headers["x-key"]).toBe("kept");
    expect(seen.headers["x-keystone-version"]).toBe("stable");
  });

  it("a Connection header listing something that is no header name does not fail the request", async () => {
    const seen = await echo("/api/h", {
      headers: { connection: "not a name, x-internal-secret, ", "x-internal-secret": "1" },
    });
    expect(seen.headers["x-internal-secret"]).toBeUndefined();
    expect(seen.headers["x-keystone-version"]).toBe("stable");
  });

  it("a client's own X-Real-IP, True-Client-IP and the like reach the origin as CF-Connecting-IP, in either forwardedFor mode, or not at all without it", async () => {
    const claims = {
      "x-real-ip": "10.0.0.1",
      "true-client-ip": "10.0.0.2",
      "x-client-ip": "10.0.0.3",
      "client-ip": "10.0.0.4",
      "x-cluster-client-ip": "10.0.0.5",
      "fastly-client-ip": "10.0.0.6",
    };
    const appended = await echo("/api/h", {
      headers: { ...claims, "cf-connecting-ip": "203.0.113.9", "x-real-ipx": "kept" },
    });
    const replaced = (await (
      await send(plane, "https://replaced.test/x", {
        headers: { ...claims, "cf-connecting-ip": "2001:db8::1" },
      })
    ).json()) as Echo;
    const anonymous = await echo("/api/h", { headers: claims });
    for (const name of Object.keys(claims)) {
      expect(appended.headers[name], name).toBe("203.0.113.9");
      expect(replaced.headers[name], name).toBe("2001:db8::1");
      expect(anonymous.headers[name], name).toBeUndefined();
    }
    expect(appended.headers["x-real-ipx"]).toBe("kept");
    // None is added for a client that sent none: only a claim is corrected.
    const plain = await echo("/api/h", { headers: { "cf-connecting-ip": "203.0.113.9" } });
    for (const name of Object.keys(claims)) expect(plain.headers[name], name).toBeUndefined();
  });

  it("forwardedFor: replace sends only CF-Connecting-IP; a path like //evil.example stays under the origin's base path", async () => {
    const seen = (await (
      await send(plane, "https://replaced.test//evil.example/x?q=1", {
        headers: {
          "x-forwarded-for": "10.0.0.1",
          forwarded: "for=10.0.0.1",
          "cf-connecting-ip": "2001:db8::1",
        },
      })
    ).json()) as Echo;
    expect(seen.headers["x-forwarded-for"]).toBe("2001:db8::1");
    expect(seen.headers.forwarded).toBe('for="[2001:db8::1]";host="replaced.test";proto=https');
    expect(seen.origin).toBe("stable");
    expect(seen.path).toBe("/base//evil.example/x");
    expect(seen.query).toBe("?q=1");
  });

  it("a release that is not a header value, or an origin with a query or credentials, is refused with its path", () => {
    const versions = (stable: Record<string, unknown>) => ({
      versions: { stable, canary: { origin: env.CANARY_ORIGIN } },
    });
    expect(
      problemsFor(versions({ origin: env.STABLE_ORIGIN, release: "v3\nx-evil: 1" })),
    ).toContain("services[0].versions.stable.release: use visible ASCII characters only");
    expect(problemsFor(versions({ origin: "http://user:pw@127.0.0.1:1/" }))).toContain(
      "services[0].versions.stable.origin: an origin URL cannot hold credentials",
    );
    expect(problemsFor(versions({ origin: "http://127.0.0.1:1/?a=b" }))).toContain(
      "services[0].versions.stable.origin: an origin URL cannot have a query",
    );
  });
});

describe("item 6: failing origins, and nothing internal on the public wire", () => {
  it("an origin that refuses gives 502 naming service, version and request id, never the origin", async () => {
    const logs = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await send(plane, "https://broken.test/");
    expect(response.status).toBe(502);
    const id = response.headers.get("x-keystone-request-id");
    expect(await response.text()).toBe(
      `keystone: version "stable" of service "broken-origins" could not be reached (request id ${id})\n`,
    );
    const logged = logs.mock.calls.map((c) => String(c[0])).find((m) => m.includes(id!));
    expect(logged).toContain(env.REFUSED_ORIGIN);
  });

  it("an origin that hangs past its timeout gives 504", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await send(plane, "https://broken.test/hang?delay=5000", {
      headers: { "x-canary": "always" },
    });
    expect(response.status).toBe(504);
    const text = await response.text();
    expect(text).toMatch(
      /^keystone: version "canary" of service "broken-origins" did not answer within 200 ms \(request id [0-9a-f-]{36}\)\n$/,
    );
    expect(text).not.toContain("127.0.0.1");
  });

  it("an origin that resets mid-body cuts that response only; the next requests are served", async () => {
    const response = await ask("/api/reset-mid-body");
    expect(response.status).toBe(200);
    const body = await response.text().then(
      (text) => text.length,
      () => -1,
    );
    expect(body).toBeLessThan(1024);
    expect((await ask("/api/after")).status).toBe(200);
  });

  it("the 503 with no table shows no schema details", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    await env.ROUTES.put(
      "routes:v2:head",
      JSON.stringify({ format: 1, generation: "x", recent: 5 }),
    );
    const response = await send(new DataPlane(env), "https://req.test/api");
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(text).toMatch(
      /^keystone: no routing config is loaded: the route table in KV is not valid \(request id/,
    );
    expect(text).not.toMatch(/generation|services|expected/);
  });
});

describe("item 8: paths", () => {
  it("matching uses the normalized path; the origin receives the path as sent", async () => {
    const response = await ask("/%61pi/items");
    expect(response.headers.get("x-keystone-version")).toBe("stable");
    expect(((await response.json()) as Echo).path).toBe("/%61pi/items");
    const forced = await ask("/api/%66oo/1");
    expect(forced.headers.get("x-keystone-version")).toBe("canary");
  });

  it("a rule's path prefix ends at a segment boundary: /api/foo covers /api/foo/1, not /api/foobar", async () => {
    expect((await ask("/api/foo")).headers.get("x-keystone-version")).toBe("canary");
    expect((await ask("/api/foo/1")).headers.get("x-keystone-version")).toBe("canary");
    expect((await ask("/api/foobar")).headers.get("x-keystone-version")).toBe("stable");
  });
});
