// The MCP endpoint inside workerd, driven by the SDK's own client: the SDK runs in the Worker,
// tools follow the token's scope, arguments the API refuses come back naming the field, a secret
// in an argument is refused before anything is stored, and resources are read masked for readers.
import { exports } from "cloudflare:workers";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, describe, expect, it } from "vitest";
import { localShop } from "../support/workerd/publish.ts";
import { clearOfMinuteEnd } from "../support/workerd/refusal-minute.ts";
import { MINUTE, startedCanary } from "../support/workerd/rollout-harness.ts";

const ADMIN_TOKEN = "test-admin-token";
const READ_TOKEN = "test-read-token";
const MCP_URL = new URL("https://admin.example.com/_keystone/mcp");

const open: Client[] = [];

async function agent(token: string | undefined): Promise<Client> {
  const client = new Client({ name: "keystone-runtime-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(MCP_URL, {
    requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : {},
    fetch: (url, init) => exports.default.fetch(new Request(url, init)),
  });
  await client.connect(transport);
  open.push(client);
  return client;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});

/** A JSON-RPC body POSTed as it is, with the read token: what the SDK's client would not send. */
function postAsReader(body: unknown): Promise<Response> {
  return exports.default.fetch(
    new Request(MCP_URL, {
      method: "POST",
      headers: {
        authorization: `Bearer ${READ_TOKEN}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify(body),
    }),
  );
}

function text(result: Awaited<ReturnType<Client["callTool"]>>): string {
  return (result.content as { type: string; text: string }[]).map((c) => c.text).join("\n");
}

/** Every page of resources/list, in order, following each nextCursor. */
async function allResourcePages(client: Client) {
  const pages: Awaited<ReturnType<Client["listResources"]>>[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listResources(cursor === undefined ? {} : { cursor });
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== undefined && pages.length < 100);
  return pages;
}

/** The shop under a name (and host) of the test's own: the tests share the Worker's storage. */
async function applyShop(client: Client, name: string, overrides = {}) {
  const config = localShop({ name, hosts: [`${name}.example.com`], ...overrides });
  return client.callTool({
    name: "applyService",
    arguments: { name, config, reason: "set up the shop" },
  });
}

describe("the MCP endpoint", () => {
  it("lists every tool to the admin token and only the read tools to the read token", async () => {
    const admin = (await (await agent(ADMIN_TOKEN)).listTools()).tools.map((t) => t.name);
    const reader = (await (await agent(READ_TOKEN)).listTools()).tools.map((t) => t.name);
    expect(admin).toEqual(expect.arrayContaining(["setWeights", "startRollout", "listServices"]));
    expect(reader).toContain("listServices");
    expect(reader).not.toContain("setWeights");
    expect(admin.length).toBeGreaterThan(reader.length);
  });

  it("refuses a request without a token as the API does", async () => {
    await expect(agent(undefined)).rejects.toThrow(/401|missing bearer token/i);
  });

  it("moves weights and answers with the split now served and the revision", async () => {
    const client = await agent(ADMIN_TOKEN);
    expect((await applyShop(client, "mcp-weights")).isError).toBeFalsy();
    const moved = await client.callTool({
      name: "setWeights",
      arguments: {
        name: "mcp-weights",
        split: { stable: 70, canary: 30 },
        reason: "try the canary",
      },
    });
    expect(moved.isError).toBeFalsy();
    expect(text(moved)).toMatch(
      /^Now serving mcp-weights: stable 70%, canary 30% \(revision 2\)\./,
    );
    expect(moved.structuredContent).toMatchObject({
      revision: 2,
      servingNow: { split: { stable: 70, canary: 30 }, revision: 2 },
    });
  });

  it("gives the API's validation error, naming the field", async () => {
    const client = await agent(ADMIN_TOKEN);
    await applyShop(client, "mcp-invalid");
    const bad = await client.callTool({
      name: "setWeights",
      arguments: { name: "mcp-invalid", split: { stable: 70, canary: 20 }, reason: "bad sum" },
    });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toMatch(/^invalid: .*\n- split: weights sum to 90, must be 100/);
    const unknown = await client.callTool({
      name: "rolloutStatus",
      arguments: { name: "mcp-invalid", verbose: true },
    });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toBe("verbose: not an argument of rolloutStatus (it takes: name)");
    const unknownInBody = await client.callTool({
      name: "setWeights",
      arguments: {
        name: "mcp-invalid",
        split: { stable: 100, canary: 0 },
        reason: "r",
        force: true,
      },
    });
    expect(text(unknownInBody)).toMatch(/^invalid: .*\n- force: /);
  });

  it("names a path argument left out or empty instead of calling another path", async () => {
    const client = await agent(ADMIN_TOKEN);
    const missing = await client.callTool({ name: "rolloutStatus", arguments: {} });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toBe("name: required (service name)");
    const empty = await client.callTool({
      name: "abortRollout",
      arguments: { name: "", reason: "stop it" },
    });
    expect(text(empty)).toBe("name: required (service name)");
    const noId = await client.callTool({ name: "getIncident", arguments: { name: "mcp-x" } });
    expect(text(noId)).toBe("id: required (incident id)");
    const dots = await client.callTool({ name: "serviceHistory", arguments: { name: ".." } });
    expect(text(dots)).toBe('name: ".." is not a name (service name)');
  });

  it("needs a reason for a change, and sets the author itself", async () => {
    const client = await agent(ADMIN_TOKEN);
    const noReason = await client.callTool({
      name: "setWeights",
      arguments: { name: "mcp-reason", split: { stable: 100, canary: 0 } },
    });
    expect(noReason.isError).toBe(true);
    expect(text(noReason)).toBe(
      "reason: required: say why this change is made; history keeps it beside the author. Nothing was done.",
    );
    const author = await applyShop(client, "mcp-reason");
    expect(author.isError).toBeFalsy();
    const impersonating = await client.callTool({
      name: "revertService",
      arguments: { name: "mcp-reason", to: 1, reason: "back", author: "alice" },
    });
    expect(text(impersonating)).toMatch(/^author: set by Keystone/);
  });

  it("refuses a token in an argument before anything is stored", async () => {
    const client = await agent(ADMIN_TOKEN);
    await applyShop(client, "mcp-secret");
    const leaked = await client.callTool({
      name: "setWeights",
      arguments: {
        name: "mcp-secret",
        split: { stable: 50, canary: 50 },
        reason: `use Bearer ${ADMIN_TOKEN} next time`,
      },
    });
    expect(leaked.isError).toBe(true);
    expect(text(leaked)).toMatch(/^reason: holds a Keystone secret/);
    const history = await client.callTool({
      name: "serviceHistory",
      arguments: { name: "mcp-secret" },
    });
    expect(text(history)).not.toContain(ADMIN_TOKEN);
    const events = (history.structuredContent as { history: { type: string }[] }).history;
    expect(events.map((e) => e.type)).not.toContain("weights.changed");
  });

  it("a read token's arguments are no oracle on the admin token: a right guess reads as a wrong one", async () => {
    const reader = await agent(READ_TOKEN);
    await applyShop(await agent(ADMIN_TOKEN), "mcp-oracle");
    const answers = [];
    for (const guess of ["not-the-admin-token", ADMIN_TOKEN])
      answers.push(
        text(
          await reader.callTool({
            name: "setWeights",
            arguments: { name: "mcp-oracle", split: { stable: 50, canary: 50 }, reason: guess },
          }),
        ),
      );
    expect(answers[0]).toMatch(/^forbidden: /);
    expect(answers[1]).toBe(answers[0]);
    // Its own token is still named as one: that tells the reader nothing it does not hold.
    const own = await reader.callTool({
      name: "explain",
      arguments: { service: "mcp-oracle", request: { headers: { "x-note": READ_TOKEN } } },
    });
    expect(text(own)).toMatch(/holds a Keystone secret/);
  });

  it("refuses an argument nested past the API's bound, naming where, instead of running out of stack", async () => {
    const client = await agent(READ_TOKEN);
    let when: Record<string, unknown> = { method: ["GET"] };
    for (let i = 0; i < 5000; i++) when = { not: when };
    const deep = await client.callTool({
      name: "explain",
      arguments: { request: { path: "/" }, service: "mcp-deep", extra: when },
    });
    expect(deep.isError).toBe(true);
    expect(text(deep)).toBe(
      "extra.not.not.not.not.not.not.not.not.not…: nested deeper than 100 levels. Nothing was done.",
    );
  });

  it("shows a read token the service's config as YAML with notify URLs masked", async () => {
    const admin = await agent(ADMIN_TOKEN);
    const secretUrl = "https://hooks.example.com/services/T000/B000/very-secret-path";
    expect(
      (
        await applyShop(admin, "mcp-masked", {
          notify: [{ url: secretUrl, events: ["rollout.rolledBack"] }],
        })
      ).isError,
    ).toBeFalsy();
    const uri = "keystone://services/mcp-masked/config.yaml";
    const asAdmin = await admin.readResource({ uri });
    expect((asAdmin.contents[0] as { text: string }).text).toContain(secretUrl);
    const reader = await agent(READ_TOKEN);
    const asReader = (await reader.readResource({ uri })).contents[0] as { text: string };
    expect(asReader.text).toMatch(/^services:\n {2}- name: mcp-masked\n/);
    expect(asReader.text).not.toContain("very-secret-path");
    const listed = (await allResourcePages(reader)).flatMap((page) => page.resources);
    expect(listed.map((r) => r.uri)).toContain(uri);
  });

  it("an aborted rollout: its incident and report as Markdown, and the prompt that investigates it", async () => {
    const client = await agent(ADMIN_TOKEN);
    const rollout = { strategy: "canary", steps: [{ weight: 10, bake: "1h" }] };
    expect((await applyShop(client, "mcp-incident", { rollout })).isError).toBeFalsy();
    const started = await client.callTool({
      name: "startRollout",
      arguments: { name: "mcp-incident", reason: "ship v2" },
    });
    expect(text(started), text(started)).toMatch(
      /^Now serving mcp-incident: stable 90%, canary 10%/,
    );
    const aborted = await client.callTool({
      name: "abortRollout",
      arguments: { name: "mcp-incident", reason: "wrong build" },
    });
    expect(aborted.isError, text(aborted)).toBeFalsy();

    const reader = await agent(READ_TOKEN);
    const incident = await reader.callTool({
      name: "getIncident",
      arguments: { name: "mcp-incident", id: "1" },
    });
    expect(text(incident)).toMatch(/^# Incident 1 of mcp-incident: rollout aborted\n/);
    expect(text(incident)).toContain("admin token via MCP");
    const resource = await reader.readResource({
      uri: "keystone://services/mcp-incident/incidents/1.md",
    });
    expect((resource.contents[0] as { text: string }).text).toBe(text(incident));

    const report = await reader.readResource({
      uri: "keystone://services/mcp-incident/rollout-report.md",
    });
    const markdown = (report.contents[0] as { text: string }).text;
    expect(markdown).toMatch(/^### Keystone: mcp-incident — ⛔ aborted\n/);
    expect(markdown).toContain("Split now: stable 100%, canary 0%");

    const prompt = await reader.getPrompt({
      name: "investigate-rollback",
      arguments: { service: "mcp-incident" },
    });
    const asked = (prompt.messages[0]!.content as { text: string }).text;
    expect(asked).toMatch(/^Investigate incident 1 of the service "mcp-incident"\./);
    expect(asked).toContain("# Incident 1 of mcp-incident: rollout aborted");
    expect(asked).toContain("## The rollout's last verdicts");
    expect(asked).toMatch(/"reason": "wrong build"/);
  });

  it("a rollout's status says when it is judged next, so an agent knows when to look again", async () => {
    const client = await agent(ADMIN_TOKEN);
    const rollout = { strategy: "canary", steps: [{ weight: 10, bake: "1h" }] };
    expect((await applyShop(client, "mcp-next-tick", { rollout })).isError).toBeFalsy();
    await client.callTool({
      name: "startRollout",
      arguments: { name: "mcp-next-tick", reason: "ship v2" },
    });
    const running = await client.callTool({
      name: "rolloutStatus",
      arguments: { name: "mcp-next-tick" },
    });
    const status = running.structuredContent as { now: string; nextTickAt?: string | null };
    expect(status.nextTickAt, text(running)).toEqual(expect.any(String));
    expect(Date.parse(status.nextTickAt!)).toBeGreaterThanOrEqual(Date.parse(status.now));
    await client.callTool({
      name: "abortRollout",
      arguments: { name: "mcp-next-tick", reason: "done looking" },
    });
    const ended = await client.callTool({
      name: "rolloutStatus",
      arguments: { name: "mcp-next-tick" },
    });
    expect((ended.structuredContent as { nextTickAt?: string | null }).nextTickAt).toBeNull();
  });

  it("serviceHistory answers the newest entries it is asked for", async () => {
    const client = await agent(ADMIN_TOKEN);
    await applyShop(client, "mcp-history");
    await client.callTool({
      name: "setWeights",
      arguments: { name: "mcp-history", split: { stable: 60, canary: 40 }, reason: "second" },
    });
    const newest = await client.callTool({
      name: "serviceHistory",
      arguments: { name: "mcp-history", last: 1 },
    });
    const events = (newest.structuredContent as { history: { type: string; reason: string }[] })
      .history;
    expect(events.map((e) => e.reason)).toEqual(["second"]);
    const all = await client.callTool({
      name: "serviceHistory",
      arguments: { name: "mcp-history" },
    });
    expect((all.structuredContent as { history: unknown[] }).history).toHaveLength(2);
  });

  it("listServices answers a page of services, a summary each, and the cursor of the next page", async () => {
    const client = await agent(ADMIN_TOKEN);
    for (const name of ["mcp-page-a", "mcp-page-b", "mcp-page-c"])
      expect((await applyShop(client, name)).isError).toBeFalsy();
    const reader = await agent(READ_TOKEN);
    const first = await reader.callTool({
      name: "listServices",
      arguments: { cursor: "mcp-page", limit: 2 },
    });
    expect(first.isError, text(first)).toBeFalsy();
    const page = first.structuredContent as {
      services: Record<string, unknown>[];
      nextCursor: string | null;
    };
    expect(page.services.map((s) => s.name)).toEqual(["mcp-page-a", "mcp-page-b"]);
    expect(page.nextCursor).toBe("mcp-page-b");
    // What an agent chooses a service by; getService has the config whole.
    expect(page.services[0]).toEqual({
      name: "mcp-page-a",
      revision: 1,
      updatedAt: expect.any(String),
      hosts: ["mcp-page-a.example.com"],
      pathPrefix: "/",
      split: { stable: 100, canary: 0 },
      releases: { stable: "v1.0.0", canary: "v2.0.0" },
      desiredRelease: null,
    });
    expect(text(first)).not.toContain('"versions"');
    const next = await reader.callTool({
      name: "listServices",
      arguments: { cursor: page.nextCursor, limit: 1 },
    });
    expect((next.structuredContent as typeof page).services.map((s) => s.name)).toEqual([
      "mcp-page-c",
    ]);
    const last = await reader.callTool({
      name: "listServices",
      arguments: { cursor: "mcp-page-b", limit: 100 },
    });
    expect((last.structuredContent as typeof page).nextCursor).toBeNull();
    const tooMany = await reader.callTool({ name: "listServices", arguments: { limit: 1000 } });
    expect(text(tooMany)).toMatch(/^invalid: .*\n- limit: at most 100 services a page/);
  });

  it("resources/list pages the services' configs: a page at a time, a nextCursor while more follow", async () => {
    const client = await agent(ADMIN_TOKEN);
    const names = Array.from({ length: 55 }, (_, i) => `mcp-res-${String(i).padStart(2, "0")}`);
    const applied = await client.callTool({
      name: "applyFile",
      arguments: {
        services: names.map((name) => ({
          config: localShop({ name, hosts: [`${name}.example.com`] }),
        })),
        reason: "many services",
      },
    });
    expect(applied.isError, text(applied)).toBeFalsy();
    const reader = await agent(READ_TOKEN);
    const pages = await allResourcePages(reader);
    // Before: one page of every service (a record read each), never a cursor.
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) expect(page.resources.length).toBeLessThanOrEqual(50);
    expect(pages.at(-1)!.nextCursor).toBeUndefined();
    const uris = pages.flatMap((page) => page.resources.map((r) => r.uri));
    expect(new Set(uris).size).toBe(uris.length);
    expect([...uris].sort()).toEqual(uris);
    for (const name of names) expect(uris).toContain(`keystone://services/${name}/config.yaml`);
    expect(pages[0]!.resources[0]).toMatchObject({
      title: "A service's config file",
      mimeType: "application/yaml",
    });
    // A cursor the API refuses is the caller's error, named.
    await expect(reader.listResources({ cursor: "Not A Name" })).rejects.toMatchObject({
      code: -32602,
      message: expect.stringMatching(/cursor: /),
    });
  });

  it("rolloutVerdicts answers each verdict's sentences, its judgement whole only when asked, and no more than an agent reads", async () => {
    const h = await startedCanary("mcp-verdicts", { minRequests: 40 });
    for (let minute = 0; minute < 2; minute++) {
      await h.traffic(20);
      h.advance(MINUTE);
      await h.tick();
    }
    const reader = await agent(READ_TOKEN);
    const watched = await reader.callTool({
      name: "rolloutVerdicts",
      arguments: { name: "mcp-verdicts" },
    });
    expect(watched.isError, text(watched)).toBeFalsy();
    type Entry = { verdict: Record<string, unknown> };
    const summed = (watched.structuredContent as { verdicts: Entry[] }).verdicts;
    const judged = summed.filter((e) => typeof e.verdict.checks === "string");
    expect(judged.length, text(watched)).toBeGreaterThan(0);
    for (const entry of summed) expect(entry.verdict).not.toHaveProperty("judgement");
    const whole = await reader.callTool({
      name: "rolloutVerdicts",
      arguments: { name: "mcp-verdicts", judgements: true },
    });
    const wholes = (whole.structuredContent as { verdicts: Entry[] }).verdicts;
    expect(wholes.filter((e) => e.verdict.judgement)).toHaveLength(judged.length);
    // Every check's sentence stays; the judgement's inputs and statistics are left for asking.
    expect(judged.map((e) => e.verdict.checks)).toEqual(
      wholes.flatMap(
        (e) => (e.verdict.judgement as { summary: string } | undefined)?.summary ?? [],
      ),
    );
    expect(text(watched).length).toBeLessThan(text(whole).length);

    const past = await reader.callTool({
      name: "rolloutVerdicts",
      arguments: { name: "mcp-verdicts", last: 500 },
    });
    expect(text(past)).toBe("last: at most 100 for an agent. Nothing was done.");
    const wholeMany = await reader.callTool({
      name: "rolloutVerdicts",
      arguments: { name: "mcp-verdicts", last: 20, judgements: true },
    });
    expect(text(wholeMany)).toMatch(/^last: at most 10 verdicts with their judgements whole/);

    // The prompt on its incident hands over the same sentences, not twenty whole judgements.
    const admin = await agent(ADMIN_TOKEN);
    await admin.callTool({
      name: "abortRollout",
      arguments: { name: "mcp-verdicts", reason: "looked wrong" },
    });
    const prompt = await reader.getPrompt({
      name: "investigate-rollback",
      arguments: { service: "mcp-verdicts" },
    });
    const asked = (prompt.messages[0]!.content as { text: string }).text;
    for (const sentence of judged.map((e) => e.verdict.checks as string))
      expect(asked).toContain(JSON.stringify(sentence));
    expect(asked).not.toContain('"judgement"');
    expect(asked).toContain("`judgements: true`");
  });

  it("the prompt on an older incident does not hand over a later rollout's verdicts as its own", async () => {
    const client = await agent(ADMIN_TOKEN);
    const rollout = { strategy: "canary", steps: [{ weight: 10, bake: "1h" }] };
    expect((await applyShop(client, "mcp-older", { rollout })).isError).toBeFalsy();
    for (const why of ["first build is broken", "second build is broken too"]) {
      await client.callTool({
        name: "startRollout",
        arguments: { name: "mcp-older", reason: why },
      });
      await client.callTool({
        name: "abortRollout",
        arguments: { name: "mcp-older", reason: why },
      });
    }
    const prompt = await client.getPrompt({
      name: "investigate-rollback",
      arguments: { service: "mcp-older", incident: "1" },
    });
    const asked = (prompt.messages[0]!.content as { text: string }).text;
    expect(asked).toContain("# Incident 1 of mcp-older: rollout aborted");
    expect(asked).not.toContain("second build is broken too");
    expect(asked).toContain("not the latest rollout");
  });

  it("a resource or prompt naming a dot segment is the caller's error, never another path read", async () => {
    // Found by review: only tools refused ".." (which the URL resolves away); the prompt's
    // incident ".." read GET …/services/<name>/ and failed as an internal error.
    const reader = await agent(READ_TOKEN);
    await applyShop(await agent(ADMIN_TOKEN), "mcp-dots");
    const prompt = reader.getPrompt({
      name: "investigate-rollback",
      arguments: { service: "mcp-dots", incident: ".." },
    });
    await expect(prompt).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('invalid: id: ".." is not a name'),
    });
    const resource = reader.readResource({ uri: "keystone://services/../config.yaml" });
    await expect(resource).rejects.toMatchObject({ code: -32602 });
  });

  it("a resource or prompt for a service that does not exist is the caller's error, not an internal one", async () => {
    const reader = await agent(READ_TOKEN);
    const missing = reader.readResource({ uri: "keystone://services/mcp-nowhere/config.yaml" });
    await expect(missing).rejects.toMatchObject({
      code: -32002,
      message: expect.stringContaining('not_found: service "mcp-nowhere" does not exist'),
    });
    const prompt = reader.getPrompt({
      name: "investigate-rollback",
      arguments: { service: "mcp-nowhere" },
    });
    await expect(prompt).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('service "mcp-nowhere"'),
    });
  });

  it("refuses an MCP request over the API's 1 MiB body limit, as the API does", async () => {
    const client = await agent(ADMIN_TOKEN);
    const oversized = client.callTool({
      name: "validate",
      arguments: { services: [{ ...localShop(), name: "y".repeat(1024 * 1024) }] },
    });
    await expect(oversized).rejects.toThrow(
      /"code":"too_large","message":"the request body is larger than 1048576 bytes"/,
    );
  });

  it("counts refused tokens as the API does: past ten a minute from one address, 429", async () => {
    await clearOfMinuteEnd();
    const from = { "cf-connecting-ip": "203.0.113.26" };
    const initialize = (token: string) =>
      exports.default.fetch(
        new Request(MCP_URL, {
          method: "POST",
          headers: {
            ...from,
            authorization: `Bearer ${token}`,
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
          },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
        }),
      );
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await initialize("guessed-token")).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
    const refused = await initialize(READ_TOKEN);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: "too_many_attempts" } });
  });

  it("a tools/call whose arguments are not an object is invalid params, saying so, not an internal error", async () => {
    for (const [args, kind] of [
      ["shop", "a string"],
      [["shop"], "an array"],
      [null, "null"],
    ] as const) {
      const response = await postAsReader({
        jsonrpc: "2.0",
        id: 7,
        method: "tools/call",
        params: { name: "listServices", arguments: args },
      });
      expect(await response.json(), kind).toEqual({
        jsonrpc: "2.0",
        id: 7,
        error: {
          code: -32602,
          message: `arguments must be an object, each argument by its name, not ${kind}`,
        },
      });
    }
  });

  it("answers at most ten requests of one POST: a batch's others are refused each by its id, nothing run for them", async () => {
    const batch = Array.from({ length: 12 }, (_, i) => ({
      jsonrpc: "2.0",
      id: i + 1,
      method: "resources/list",
    }));
    const response = await postAsReader(batch);
    const answers = (await response.json()) as { id: number; result?: unknown; error?: unknown }[];
    expect(answers.map((a) => a.id).sort((a, b) => a - b)).toEqual(batch.map((r) => r.id));
    const refused = answers.filter((a) => a.error !== undefined);
    expect(refused.map((a) => a.id).sort((a, b) => a - b)).toEqual([11, 12]);
    expect(refused[0]!.error).toEqual({
      code: -32600,
      message: "at most 10 requests in one POST: send the rest in another",
    });
    expect(answers.filter((a) => a.result !== undefined)).toHaveLength(10);
  });

  it("is stateless: a GET (a stream to push on) or a DELETE (ending a session) is answered 405", async () => {
    for (const method of ["GET", "DELETE"]) {
      const response = await exports.default.fetch(
        new Request(MCP_URL, {
          method,
          headers: { authorization: `Bearer ${READ_TOKEN}`, accept: "text/event-stream" },
        }),
      );
      expect(response.status, method).toBe(405);
      expect(response.headers.get("allow")).toBe("POST");
      await response.arrayBuffer();
    }
  });
});
