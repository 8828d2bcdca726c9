// End to end: an agent drives Keystone through /_keystone/mcp with the SDK's own client, against
// the shared Worker and real origins, and what it did shows in the real CLI's history and on the
// status page: the tools follow the token's scope, its weights move real traffic, its rollout is
// recorded "via MCP", and what the API refuses (a read token's change, a bad field, an oversized
// body) it refuses here.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { MAX_BODY_BYTES } from "../../schemas/api.ts";
import type { ServiceInput } from "../../schemas/service.ts";
import {
  type E2eStack,
  joinSharedStack,
  versionServed,
  waitForVersion,
} from "../support/e2e-stack.ts";

const SERVICE = "mcp-shop";
let stack: E2eStack;
const agents: Client[] = [];

async function agent(token: string): Promise<Client> {
  const client = new Client({ name: "keystone-e2e-agent", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${stack.adminUrl}/_keystone/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  agents.push(client);
  return client;
}

/** The status page's HTML at `path`, signed in with the read token. */
async function statusPage(path: string): Promise<string> {
  const signedIn = await fetch(`${stack.adminUrl}/_keystone/ui/sign-in`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: stack.adminUrl },
    body: new URLSearchParams({ token: stack.secrets.READ_TOKEN }).toString(),
  });
  const cookie = signedIn.headers.get("set-cookie")?.split(";")[0] ?? "";
  const page = await fetch(`${stack.adminUrl}${path}`, { headers: { cookie } });
  expect(page.status).toBe(200);
  return page.text();
}

type ToolAnswer = Awaited<ReturnType<Client["callTool"]>>;

const textOf = (answer: ToolAnswer) =>
  (answer.content as { type: string; text: string }[]).map((c) => c.text).join("\n");

function shop(): ServiceInput {
  return {
    name: SERVICE,
    hosts: [stack.host],
    versions: {
      stable: { origin: stack.origins.stable.url, release: "v1" },
      canary: { origin: stack.origins.canary.url, release: "v2" },
    },
    baseline: "stable",
    split: { stable: 100, canary: 0 },
    rollout: {
      strategy: "canary",
      steps: [{ weight: 20, bake: "1h" }],
      analysis: { minRequests: 20, maxErrorRatePercent: 5, failureLimit: 0 },
    },
  };
}

beforeAll(async () => {
  stack = await joinSharedStack("mcp");
  const applied = await stack.cli([
    "apply",
    "-f",
    stack.writeFile("mcp.yaml", stringify({ services: [shop()] })),
  ]);
  expect(applied.code, applied.stderr).toBe(0);
  await waitForVersion(stack.url, "stable");
}, 180_000);

afterAll(async () => {
  await Promise.all(agents.map((client) => client.close()));
  await stack?.stop();
});

describe("an agent over MCP", () => {
  it("sees every tool with the admin token and only the read tools with the read token", async () => {
    const admin = (await (await agent(stack.secrets.ADMIN_TOKEN)).listTools()).tools;
    const reader = (await (await agent(stack.secrets.READ_TOKEN)).listTools()).tools;
    const names = (tools: typeof admin) => tools.map((tool) => tool.name);
    expect(names(admin)).toEqual(
      expect.arrayContaining(["setWeights", "startRollout", "abortRollout", "explain"]),
    );
    expect(names(reader)).toEqual(
      expect.arrayContaining(["listServices", "rolloutVerdicts", "getIncident", "explain"]),
    );
    expect(names(reader).filter((name) => !names(admin).includes(name))).toEqual([]);
    expect(reader.filter((tool) => tool.annotations?.readOnlyHint !== true)).toEqual([]);
    expect(names(admin).length).toBeGreaterThan(names(reader).length);
  });

  it("a read token calling a write tool gets the API's refusal, the one the CLI gets", async () => {
    const reader = await agent(stack.secrets.READ_TOKEN);
    const refused = await reader.callTool({
      name: "setWeights",
      arguments: { name: SERVICE, split: { stable: 0, canary: 100 }, reason: "agent tries" },
    });
    expect(refused.isError).toBe(true);
    const cli = await stack.cli(["weights", SERVICE, "stable=0", "canary=100"], {
      KEYSTONE_TOKEN: stack.secrets.READ_TOKEN,
    });
    expect(cli.code).not.toBe(0);
    const message = "this token may only read; changes need the admin token";
    expect(textOf(refused)).toBe(`forbidden: ${message}`);
    expect(cli.stderr).toContain(message);
    expect(await versionServed(stack.url)).toBe("stable");
  });

  it("moves the weights, and the next requests follow", async () => {
    const admin = await agent(stack.secrets.ADMIN_TOKEN);
    const moved = await admin.callTool({
      name: "setWeights",
      arguments: { name: SERVICE, split: { stable: 0, canary: 100 }, reason: "send all to v2" },
    });
    expect(moved.isError, textOf(moved)).toBeFalsy();
    expect(textOf(moved)).toMatch(
      new RegExp(`^Now serving ${SERVICE}: stable 0%, canary 100% \\(revision \\d+\\)\\.`),
    );
    await waitForVersion(stack.url, "canary");
    const served = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        versionServed(stack.url, { headers: { cookie: `ks_${SERVICE}=agent-visitor-${i}` } }),
      ),
    );
    expect(served).toEqual(Array(10).fill("canary"));
    const back = await admin.callTool({
      name: "setWeights",
      arguments: { name: SERVICE, split: { stable: 100, canary: 0 }, reason: "back to v1" },
    });
    expect(back.isError, textOf(back)).toBeFalsy();
    await waitForVersion(stack.url, "stable");
  });

  it("starts, explains and aborts a rollout, shown in keystone history as via MCP", async () => {
    const admin = await agent(stack.secrets.ADMIN_TOKEN);
    const started = await admin.callTool({
      name: "startRollout",
      arguments: { name: SERVICE, reason: "ship v2 behind a canary" },
    });
    expect(started.isError, textOf(started)).toBeFalsy();
    expect(textOf(started)).toMatch(/^Now serving mcp-shop: stable 80%, canary 20%/);
    const explained = await admin.callTool({
      name: "rolloutVerdicts",
      arguments: { name: SERVICE, last: 5 },
    });
    expect(explained.isError, textOf(explained)).toBeFalsy();
    expect(explained.structuredContent).toMatchObject({ service: SERVICE });
    const aborted = await admin.callTool({
      name: "abortRollout",
      arguments: { name: SERVICE, reason: "agent saw enough" },
    });
    expect(aborted.isError, textOf(aborted)).toBeFalsy();
    expect(textOf(aborted)).toMatch(/^Now serving mcp-shop: stable 100%, canary 0%/);

    const history = await stack.cli(["history", SERVICE, "--json"]);
    expect(history.code, history.stderr).toBe(0);
    const entries = (
      JSON.parse(history.stdout) as {
        history: { type: string; author: string | null; reason: string | null }[];
      }
    ).history;
    expect(entries.filter((e) => e.author === "admin token via MCP")).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "rollout.started", reason: "ship v2 behind a canary" }),
        expect.objectContaining({ type: "rollout.aborted", reason: "agent saw enough" }),
        expect.objectContaining({ type: "weights.changed", reason: "send all to v2" }),
      ]),
    );
    const table = (await stack.cli(["history", SERVICE])).stdout;
    expect(table).toMatch(/ started +admin token via MCP +ship v2 behind a canary/);
    expect(await statusPage("/_keystone/ui")).toContain("admin token via MCP");
  });

  it("names the field an invalid argument is wrong in", async () => {
    const admin = await agent(stack.secrets.ADMIN_TOKEN);
    const badSplit = await admin.callTool({
      name: "setWeights",
      arguments: { name: SERVICE, split: { stable: 70, canary: 20 }, reason: "typo" },
    });
    expect(badSplit.isError).toBe(true);
    expect(textOf(badSplit)).toContain("- split: weights sum to 90, must be 100");
    const badCountry = await admin.callTool({
      name: "explain",
      arguments: { service: SERVICE, request: { path: "/", country: "New Zealand" } },
    });
    expect(badCountry.isError).toBe(true);
    expect(textOf(badCountry)).toMatch(/- request\.country: a two-letter country code/);
    const fromNz = await admin.callTool({
      name: "explain",
      arguments: { service: SERVICE, request: { path: "/", country: "NZ" } },
    });
    expect(fromNz.isError, textOf(fromNz)).toBeFalsy();
    expect(fromNz.structuredContent).toMatchObject({ version: "stable" });
  });

  it("refuses a token in an argument and an oversized argument, storing nothing", async () => {
    const admin = await agent(stack.secrets.ADMIN_TOKEN);
    const before = (await stack.cli(["history", SERVICE, "--json"])).stdout;
    const leaked = await admin.callTool({
      name: "setWeights",
      arguments: {
        name: SERVICE,
        split: { stable: 50, canary: 50 },
        reason: `token ${stack.secrets.READ_TOKEN} for the record`,
      },
    });
    expect(leaked.isError).toBe(true);
    expect(textOf(leaked)).toMatch(/^reason: holds a Keystone secret/);
    const long = await admin.callTool({
      name: "setWeights",
      arguments: { name: SERVICE, split: { stable: 50, canary: 50 }, reason: "x".repeat(1001) },
    });
    expect(long.isError).toBe(true);
    expect(textOf(long)).toMatch(/^reason: /);
    await expect(
      admin.callTool({
        name: "validate",
        arguments: { services: [{ ...shop(), name: "y".repeat(MAX_BODY_BYTES) }] },
      }),
    ).rejects.toThrow(
      /"code":"too_large","message":"the request body is larger than 1048576 bytes"/,
    );
    expect((await stack.cli(["history", SERVICE, "--json"])).stdout).toBe(before);
    expect(await versionServed(stack.url)).toBe("stable");
  });
});
