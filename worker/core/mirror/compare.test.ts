import { describe, expect, it } from "vitest";
import { Mirror } from "../../../schemas/mirror.ts";
import type { CompiledVersion } from "../route-table.ts";
import { type CapturedResponse, compareResponses, MAX_COMPARED_DEPTH } from "./compare.ts";
import { compileMirror, wantsMirror } from "./compile-mirror.ts";
import { compileFieldPaths, describePath } from "./field-paths.ts";
import { pathKey } from "./path-key.ts";

const canary: CompiledVersion = {
  name: "canary",
  origin: "http://canary.internal",
  basePath: "",
  originPrefix: "http://canary.internal",
  release: "v2",
  timeoutMs: 1000,
};

function compiled(mirror: Record<string, unknown>) {
  return compileMirror(
    Mirror.parse({ version: "canary", percent: 10, ...mirror }),
    new Map([["canary", canary]]),
  )!;
}

function response(
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): CapturedResponse {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const all = new Headers({ "content-type": "application/json", ...headers });
  return {
    status,
    header: (n) => all.get(n),
    body: new TextEncoder().encode(text),
    truncated: false,
  };
}

const item = (over: Record<string, unknown> = {}) => ({
  id: 17,
  name: "lamp",
  price: 10,
  updatedAt: "2026-11-22T10:00:00Z",
  meta: { requestId: "a1", owner: { email: "a@example.com" } },
  tags: ["new"],
  ...over,
});

describe("comparing a mirrored response with the client's", () => {
  const compare = compiled({
    compare: { ignoreFields: ["updatedAt", "meta.requestId"], redactFields: ["email"] },
  }).compare;

  it("finds identical responses equal, whatever their ignored fields say", () => {
    const mirror = response(
      item({
        updatedAt: "2026-11-22T10:00:07Z",
        meta: { requestId: "b2", owner: { email: "a@example.com" } },
      }),
    );
    expect(compareResponses(compare, response(item()), mirror)).toEqual([]);
  });

  it("names each differing field with both values, status and chosen headers first", () => {
    const mirror = response(item({ price: 12, tags: ["new", "sale"] }), 201, {
      "content-type": "text/json",
    });
    expect(compareResponses(compare, response(item()), mirror)).toEqual([
      { where: "status", primary: "200", mirror: "201" },
      { where: "header content-type", primary: "application/json", mirror: "text/json" },
      { where: "body price", primary: "10", mirror: "12" },
      { where: "body tags[1]", primary: null, mirror: '"sale"' },
    ]);
  });

  it("never shows a redacted field's value, even inside a larger value that differs", () => {
    const changed = item({ meta: { requestId: "a1", owner: { email: "b@example.com" } } });
    expect(compareResponses(compare, response(item()), response(changed))).toEqual([
      { where: "body meta.owner.email", primary: "[redacted]", mirror: "[redacted]" },
    ]);
    const gone = item({ meta: { requestId: "a1" } });
    expect(compareResponses(compare, response(item()), response(gone))).toEqual([
      { where: "body meta.owner", primary: '{"email":"[redacted]"}', mirror: null },
    ]);
  });

  it("never shows cookies or credentials from the chosen headers", () => {
    const c = compiled({ compare: { headers: ["set-cookie", "etag"] } }).compare;
    const a = response(item(), 200, { "set-cookie": "sid=1", etag: '"1"' });
    const b = response(item(), 200, { "set-cookie": "sid=2", etag: '"2"' });
    expect(compareResponses(c, a, b)).toEqual([
      { where: "header set-cookie", primary: "[redacted]", mirror: "[redacted]" },
      { where: "header etag", primary: '"1"', mirror: '"2"' },
    ]);
  });

  it("compares bodies that are not JSON byte by byte, showing sizes and never content", () => {
    const c = compiled({ compare: { body: "bytes" } }).compare;
    expect(compareResponses(c, response("secret-a"), response("secret-b!"))).toEqual([
      { where: "body", primary: "8 bytes", mirror: "9 bytes, differing from byte 7" },
    ]);
    expect(compareResponses(compare, response("<html>"), response("<html>"))).toEqual([]);
    const none = compiled({ compare: { body: "none" } }).compare;
    expect(compareResponses(none, response("a"), response("b"))).toEqual([]);
  });

  it("compares JSON nested deeper than 64 levels byte by byte, a loop's work, not a walk's", () => {
    const nested = (depth: number, inner: string) =>
      `${"[".repeat(depth)}${inner}${"]".repeat(depth)}`;
    const deep = 5_000;
    expect(
      compareResponses(compare, response(nested(deep, "1")), response(nested(deep, "2"))),
    ).toEqual([
      {
        where: "body",
        primary: `${2 * deep + 1} bytes`,
        mirror: `${2 * deep + 1} bytes, differing from byte ${deep}`,
      },
    ]);
    // At the bound, still field by field.
    const [atBound] = compareResponses(
      compare,
      response(nested(MAX_COMPARED_DEPTH, "1")),
      response(nested(MAX_COMPARED_DEPTH, "2")),
    );
    expect(atBound?.where).toMatch(/^body \[0\]\[0\]/);
  });

  it("bounds what it reports: at most 20 differences, each value cut at 200 characters", () => {
    const many = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [`f${i}`, "x".repeat(500)]),
    );
    const found = compareResponses(compare, response({}), response(many));
    expect(found).toHaveLength(20);
    expect(found[0]?.mirror).toHaveLength(201);
  });
});

describe("field paths", () => {
  it("match a name at any depth, a dotted path from the root, * for any key or index", () => {
    const match = compileFieldPaths(["updatedAt", "items.*.id", "meta.requestId"]);
    expect(match(["updatedAt"])).toBe(true);
    expect(match(["a", 3, "updatedAt"])).toBe(true);
    expect(match(["items", 2, "id"])).toBe(true);
    expect(match(["items", 2, "name"])).toBe(false);
    expect(match(["meta", "requestId"])).toBe(true);
    expect(match(["x", "meta", "requestId"])).toBe(false);
    expect(describePath(["items", 2, "id"])).toBe("items[2].id");
  });
});

describe("which requests are mirrored", () => {
  const mirror = compiled({});

  it("samples by percent, never copies to the version that served, GET and HEAD by default", () => {
    expect(wantsMirror(mirror, "stable", "GET", false, 0.05)).toBe(true);
    expect(wantsMirror(mirror, "stable", "GET", false, 0.15)).toBe(false);
    expect(wantsMirror(mirror, "canary", "GET", false, 0.05)).toBe(false);
    expect(wantsMirror(mirror, "stable", "HEAD", false, 0.05)).toBe(true);
    expect(wantsMirror(mirror, "stable", "POST", false, 0.05)).toBe(false);
    expect(wantsMirror(undefined, "stable", "GET", false, 0)).toBe(false);
  });

  it("mirrors other methods only when listed, and a request with a body only with withBody", () => {
    const posts = compiled({ methods: ["GET", "POST"] });
    expect(wantsMirror(posts, "stable", "POST", false, 0)).toBe(true);
    expect(wantsMirror(posts, "stable", "POST", true, 0)).toBe(false);
    const bodies = compiled({ methods: ["POST"], withBody: true });
    expect(wantsMirror(bodies, "stable", "POST", true, 0)).toBe(true);
  });
});

describe("the path a comparison counts under", () => {
  it("folds ids, uuids and tokens, and cuts deep paths", () => {
    expect(pathKey("/api/items/17")).toBe("/api/items/:id");
    expect(pathKey("/u/6f1c2b9e-1d2c-4c1e-9a4b-0c8d7e6f5a4b/x")).toBe("/u/:id/x");
    expect(pathKey("/reset/AbCdEfGhIjKlMnOpQrStUvWxYz012345")).toBe("/reset/:id");
    expect(pathKey("/a/b/c/d/e/f")).toBe("/a/b/c/d/…");
    expect(pathKey("/users/alice@example.com/orders")).toBe("/users/:email/orders");
    expect(pathKey("/users/alice%40example.com")).toBe("/users/:email");
    expect(pathKey("/invite/tk.Q9x7Lm2Pz4Rt8Vw3Yb")).toBe("/invite/:token");
    expect(pathKey("/docs/getting-started")).toBe("/docs/getting-started");
    expect(pathKey("/")).toBe("/");
  });
});
