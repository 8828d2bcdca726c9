import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizePath, prefixCovers } from "./path.ts";

describe("path normalization (RFC 3986 §6.2.2)", () => {
  it("decodes unreserved characters and upper-cases the hex of the rest", () => {
    expect(normalizePath("/%61pi/x")).toBe("/api/x");
    expect(normalizePath("/a%2fb%20c")).toBe("/a%2Fb%20c");
    expect(normalizePath("/%7Euser/%2D%5F%2e")).toBe("/~user/-_.");
  });

  it("resolves dot-segments, including ones that were percent-encoded", () => {
    expect(normalizePath("/a/./b/../c")).toBe("/a/c");
    expect(normalizePath("/a/%2E%2E/admin")).toBe("/admin");
    expect(normalizePath("/../../x")).toBe("/x");
    expect(normalizePath("/a/b/..")).toBe("/a/");
  });

  it("leaves a path with nothing to do as the same string", () => {
    const path = "/api/items/42";
    expect(normalizePath(path)).toBe(path);
    expect(normalizePath("/a%zz")).toBe("/a%zz");
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(fc.webPath(), (path) => {
        const once = normalizePath(path.startsWith("/") ? path : `/${path}`);
        expect(normalizePath(once)).toBe(once);
      }),
    );
  });
});

describe("prefixes end at a segment boundary", () => {
  it("/foo matches /foo, /foo/ and /foo/bar, not /foobar", () => {
    expect(prefixCovers("/foo", "/foo")).toBe(true);
    expect(prefixCovers("/foo", "/foo/")).toBe(true);
    expect(prefixCovers("/foo", "/foo/bar")).toBe(true);
    expect(prefixCovers("/foo", "/foobar")).toBe(false);
    expect(prefixCovers("/foo/", "/foo/bar")).toBe(true);
    expect(prefixCovers("/", "/anything")).toBe(true);
  });
});
