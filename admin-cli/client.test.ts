// The CLI's API client parses every answer with its schema: an answer of the wrong shape is a
// clear error (exit 1) naming what did not fit, never a crash further on.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChangeResult } from "../schemas/api-responses.ts";
import { ApiClient } from "./client.ts";
import { CliError, EXIT } from "./errors.ts";

let server: Server;
let api: ApiClient;
const answers: Record<string, unknown> = {
  "/_keystone/v1/ok": { name: "shop", revision: 3, changed: true },
  "/_keystone/v1/odd": { name: "shop", revision: "three" },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(answers[req.url ?? ""] ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  api = new ApiClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, undefined);
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("the admin API client", () => {
  it("returns an answer that fits its schema", async () => {
    expect(await api.get(ChangeResult, "/ok")).toEqual({
      name: "shop",
      revision: 3,
      changed: true,
    });
  });

  it("refuses an answer that does not fit, naming each mismatch, exit 1", async () => {
    const error = await api.get(ChangeResult, "/odd").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    const failure = error as CliError;
    expect(failure.exitCode).toBe(EXIT.error);
    expect(failure.message).toMatch(/answered in an unexpected shape/);
    expect(failure.details.join("\n")).toMatch(/revision: .*expected number/);
    expect(failure.details.join("\n")).toMatch(/changed: .*expected boolean/);
  });
});
