// The CLI's API client parses every answer with its schema: an answer of the wrong shape is a
// clear error (exit 1) naming what did not fit, never a crash further on. Behind Cloudflare
// Access it sends a service token, and a trip to Access's sign-in page says what to set.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod";
import { ChangeResult } from "../schemas/api-responses.ts";
import { ApiClient } from "./client.ts";
import { CliError, EXIT } from "./errors.ts";
import { accessServiceToken } from "./session.ts";

let server: Server;
let api: ApiClient;
let base: string;
const answers: Record<string, unknown> = {
  "/_keystone/v1/ok": { name: "shop", revision: 3, changed: true },
  "/_keystone/v1/odd": { name: "shop", revision: "three" },
  // A history entry stored before the API refused control characters: a window title (OSC 0), a
  // clipboard write (OSC 52), a CSI as one C1 character, a line rewritten by a carriage return.
  "/_keystone/v1/escapes": {
    reason: "\x1b]0;pwned\x07fix\x1b]52;c;cm0gLXJmIH4=\x07 \x9b2J ok\rFAILED\r\nnext\tline",
    "by\x1b[8m": "\u202eevil",
  },
};
/** An API error whose message echoes an escape sequence. */
const raw: Record<string, [number, string, string]> = {
  "/_keystone/v1/refused": [
    409,
    "application/json",
    JSON.stringify({
      error: {
        code: "conflict",
        message: "service \x1b[2Jshop changed",
        problems: [{ path: "rules[0]\x1b[A", message: "bad\x07" }],
      },
    }),
  ],
};
/** Where a path redirects, as Access (or an http→https rule) in front of the Worker would. */
const redirects: Record<string, string> = {
  "/_keystone/v1/behind-access":
    "https://acme.cloudflareaccess.com/cdn-cgi/access/login/keystone.example.com?kid=1",
  "/_keystone/v1/moved": "https://keystone.example.com/_keystone/v1/moved",
};
let lastHeaders: Record<string, string | string[] | undefined> = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    lastHeaders = req.headers;
    if (req.url === "/_keystone/v1/reset") {
      // A Worker restarting, or a proxy in front of it dropping the connection mid-request.
      req.socket.destroy();
      return;
    }
    if (req.url === "/_keystone/v1/slow") {
      // A Worker busy with a whole file: the answer comes after 300 ms.
      setTimeout(() => res.end(JSON.stringify(answers["/_keystone/v1/ok"])), 300);
      return;
    }
    const page = raw[req.url ?? ""];
    if (page) {
      res.writeHead(page[0], { "content-type": page[1] });
      res.end(page[2]);
      return;
    }
    const to = redirects[req.url ?? ""];
    if (to) {
      res.writeHead(302, { location: to });
      res.end("<html>sign in</html>");
      return;
    }
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(answers[req.url ?? ""] ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api = new ApiClient(base, undefined);
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("the admin API client", () => {
  it("returns an answer that fits its schema", async () => {
    expect(await api.request(ChangeResult, "GET", "/_keystone/v1/ok")).toEqual({
      name: "shop",
      revision: 3,
      changed: true,
    });
  });

  it("refuses an answer that does not fit, naming each mismatch, exit 1", async () => {
    const error = await api
      .request(ChangeResult, "GET", "/_keystone/v1/odd")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    const failure = error as CliError;
    expect(failure.exitCode).toBe(EXIT.error);
    expect(failure.message).toMatch(/answered in an unexpected shape/);
    expect(failure.details.join("\n")).toMatch(/revision: .*expected number/);
    expect(failure.details.join("\n")).toMatch(/changed: .*expected boolean/);
  });
});

describe("a request the Worker takes but does not answer in time", () => {
  it("is not 'cannot reach': it says a change may still land and how to look, exit 1", async () => {
    const client = new ApiClient(base, undefined);
    client.timeoutMs = 100;
    const error = (await client
      .request(ChangeResult, "POST", "/_keystone/v1/slow", {})
      .catch((e: unknown) => e)) as CliError;
    expect(error).toBeInstanceOf(CliError);
    expect(error.exitCode).toBe(EXIT.error);
    expect(error.message).toBe(`POST ${base}/_keystone/v1/slow got no answer within 100 ms`);
    expect(error.message).not.toMatch(/cannot reach/);
    expect(error.details.join("\n")).toMatch(/may still carry it out: keystone get/);
  });

  it("a connection closed before the answer is not 'cannot reach' either: a change may have landed", async () => {
    const error = (await api
      .request(ChangeResult, "POST", "/_keystone/v1/reset", {})
      .catch((e: unknown) => e)) as CliError;
    expect(error).toBeInstanceOf(CliError);
    expect(error.message).toBe(
      `POST ${base}/_keystone/v1/reset lost its connection before an answer came`,
    );
    expect(error.details.join("\n")).toMatch(/may still carry it out: keystone get/);
    expect(error.transient && error.unreachable).toBe(true);
  });

  it("waits longer for a file of many services, as the Worker calls each service's object", async () => {
    const client = new ApiClient(base, undefined);
    client.timeoutMs = 100;
    // 100 ms alone is too short for a 300 ms answer; 5 services add 500 ms.
    const services = Array.from({ length: 5 }, (_, i) => ({ config: { name: `s${i}` } }));
    expect(
      await client.request(ChangeResult, "POST", "/_keystone/v1/slow", { services }),
    ).toMatchObject({ name: "shop", revision: 3 });
    await expect(client.request(ChangeResult, "POST", "/_keystone/v1/slow", {})).rejects.toThrow(
      /got no answer within/,
    );
  });
});

describe("through Cloudflare Access", () => {
  const token = { clientId: "abc.access", clientSecret: "s3cret" };

  it("sends the service token as CF-Access-Client-Id and -Secret, beside the bearer token", async () => {
    await new ApiClient(base, "admin-token", token).request(
      ChangeResult,
      "GET",
      "/_keystone/v1/ok",
    );
    expect(lastHeaders).toMatchObject({
      "cf-access-client-id": "abc.access",
      "cf-access-client-secret": "s3cret",
      authorization: "Bearer admin-token",
    });
    await api.request(ChangeResult, "GET", "/_keystone/v1/ok");
    expect(lastHeaders["cf-access-client-id"]).toBeUndefined();
  });

  it("sent to Access's sign-in page: exit 5, naming the variables to set", async () => {
    const error = (await api
      .request(ChangeResult, "GET", "/_keystone/v1/behind-access")
      .catch((e: unknown) => e)) as CliError;
    expect(error.exitCode).toBe(EXIT.auth);
    expect(error.message).toBe(
      `Cloudflare Access stopped GET ${base}/_keystone/v1/behind-access: it sent the request to its sign-in page`,
    );
    expect(error.details.join("\n")).toContain(
      "set KEYSTONE_ACCESS_CLIENT_ID and KEYSTONE_ACCESS_CLIENT_SECRET",
    );
  });

  it("any other redirect: exit 1, naming where it pointed, never followed", async () => {
    const error = (await api
      .request(ChangeResult, "GET", "/_keystone/v1/moved")
      .catch((e: unknown) => e)) as CliError;
    expect(error.exitCode).toBe(EXIT.error);
    expect(error.message).toBe(
      `GET ${base}/_keystone/v1/moved answered 302, a redirect to https://keystone.example.com/_keystone/v1/moved`,
    );
  });

  it("the token goes to an https admin URL only; one variable without the other is exit 5", () => {
    const env = {
      KEYSTONE_ACCESS_CLIENT_ID: "abc.access",
      KEYSTONE_ACCESS_CLIENT_SECRET: "s3cret",
    };
    expect(accessServiceToken("https://keystone.example.com", env)).toEqual(token);
    expect(accessServiceToken("http://127.0.0.1:8787", env)).toBeUndefined();
    expect(accessServiceToken("https://keystone.example.com", {})).toBeUndefined();
    const half = (() => {
      try {
        return accessServiceToken("https://keystone.example.com", {
          KEYSTONE_ACCESS_CLIENT_ID: "abc.access",
        });
      } catch (error) {
        return error;
      }
    })() as CliError;
    expect(half.exitCode).toBe(EXIT.auth);
    expect(half.message).toBe(
      "KEYSTONE_ACCESS_CLIENT_ID is set but KEYSTONE_ACCESS_CLIENT_SECRET is not: a Cloudflare Access service token is both",
    );
  });

  it("returns what the API answered exactly, control characters too: a terminal is protected where it is written to, not the data", async () => {
    // A stored rule may match a value with a carriage return or a bidirectional mark: read back
    // (apply --release re-applies the config it read; get --json is a backup), it must be exact.
    const answer = await api.request(
      z.record(z.string(), z.string()),
      "GET",
      "/_keystone/v1/escapes",
    );
    expect(answer).toEqual(answers["/_keystone/v1/escapes"]);
    const refused = (await api
      .request(ChangeResult, "GET", "/_keystone/v1/refused")
      .catch((error: unknown) => error)) as CliError;
    expect(refused.message).toBe("service \x1b[2Jshop changed");
  });
});
