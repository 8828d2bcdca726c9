// End to end under wrangler dev, over raw sockets: the held-upload and abandoned-upload attacks
// of issue 20 as a client's socket makes them (Content-Length: 100, one byte, then nothing; or a
// hang-up), against the real HTTP server in front of the Worker. Each is the client's fault (408
// or nothing to answer), counted apart in /_keystone/metrics, never as the version's error.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type E2eStack, joinSharedStack, waitForVersion } from "../support/e2e-stack.ts";
import { parseMetrics, sampleValue } from "../support/prometheus-text.ts";

let stack: E2eStack;

beforeAll(async () => {
  stack = await joinSharedStack("client-faults");
  const config = {
    name: "uploads",
    hosts: [stack.host],
    versions: {
      stable: { origin: stack.origins.stable.url, release: "v1" },
      canary: { origin: stack.origins.canary.url, release: "v2", timeoutMs: 1000 },
    },
    baseline: "stable",
    split: { stable: 0, canary: 100 },
    sticky: { by: "none" },
  };
  const file = stack.writeFile("uploads.yaml", stringify({ services: [config] }));
  const applied = await stack.cli(["apply", "-f", file]);
  expect(applied.code, applied.stderr).toBe(0);
  await waitForVersion(stack.url, "canary");
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

/** A POST promising 100 bytes and sending one; `hangUpAfterMs` closes the socket then. */
function halfSentUpload(hangUpAfterMs?: number): Promise<string> {
  const { hostname, port } = new URL(stack.adminUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST /upload HTTP/1.1\r\nHost: ${stack.host}:${port}\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nx`,
      );
      if (hangUpAfterMs !== undefined) setTimeout(() => socket.destroy(), hangUpAfterMs);
    });
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk.toString();
      if (answer.includes("\r\n\r\n")) socket.destroy();
    });
    socket.on("close", () => resolve(answer));
    socket.on("error", reject);
  });
}

/** A GET (or HEAD) carrying a whole body, as some clients send (fetch cannot send it on). */
function getWithBody(method: "GET" | "HEAD"): Promise<string> {
  const { hostname, port } = new URL(stack.adminUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `${method} /search HTTP/1.1\r\nHost: ${stack.host}:${port}\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello`,
      );
    });
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk.toString();
    });
    socket.on("close", () => resolve(answer));
    socket.on("error", reject);
  });
}

async function canaryCounters() {
  const response = await fetch(`${stack.url}/_keystone/metrics`, {
    headers: { authorization: `Bearer ${stack.secrets.READ_TOKEN}` },
  });
  const samples = parseMetrics(await response.text());
  const where = { service: "uploads", version: "canary", reason: "split" };
  return {
    incomplete: sampleValue(samples, "keystone_client_incomplete_requests_total", where) ?? 0,
    errors: sampleValue(samples, "keystone_request_errors_total", where) ?? 0,
  };
}

async function until(done: () => Promise<boolean>) {
  for (let tries = 0; tries < 50; tries++) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("uploads a client never finishes, over a raw socket", () => {
  it("a held upload gets 408 after the version's timeout, counted apart, not as the canary's error", async () => {
    const answer = await halfSentUpload();
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    await until(async () => (await canaryCounters()).incomplete >= 1);
    expect(await canaryCounters()).toEqual({ incomplete: 1, errors: 0 });
  });

  it("an upload abandoned after 300 ms is counted apart too", async () => {
    await halfSentUpload(300);
    await until(async () => (await canaryCounters()).incomplete >= 2);
    expect(await canaryCounters()).toEqual({ incomplete: 2, errors: 0 });
  });

  it("a GET or HEAD with a body gets 400, counted apart: never a 502 charged to the canary", async () => {
    expect(await getWithBody("GET")).toMatch(/^HTTP\/1\.1 400 /);
    expect(await getWithBody("HEAD")).toMatch(/^HTTP\/1\.1 400 /);
    await until(async () => (await canaryCounters()).incomplete >= 4);
    expect(await canaryCounters()).toEqual({ incomplete: 4, errors: 0 });
  });
});
