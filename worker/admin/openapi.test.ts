// The OpenAPI document covers the admin API exactly: every route the app serves is documented
// (and nothing documented is missing from the app), with its method.
import { describe, expect, it } from "vitest";
import { createAdminApi } from "./app.ts";
import { openApiDocument } from "./openapi.ts";

const METHODS = ["get", "put", "post", "delete", "patch"];

describe("the OpenAPI document", () => {
  it("has an operation for every route of the app, and no other", () => {
    const served = new Set(
      createAdminApi()
        // The status page (/_keystone/ui) is HTML for people, not part of the JSON API.
        .routes.filter(
          (r) => METHODS.includes(r.method.toLowerCase()) && !r.path.startsWith("/_keystone/ui"),
        )
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`),
    );
    const paths = (openApiDocument() as { paths: Record<string, Record<string, unknown>> }).paths;
    const documented = new Set(
      Object.entries(paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)),
    );
    expect([...served].filter((route) => !documented.has(route))).toEqual([]);
    expect([...documented].filter((route) => !served.has(route))).toEqual([]);
    expect(served.size).toBeGreaterThan(20);
  });
});
