// The MCP tools as generated from the admin API's declarations: one per endpoint an agent may
// call, its arguments the endpoint's own, a change always with a reason and never with an author.
import { describe, expect, it } from "vitest";
import { ADMIN_API, type Endpoint } from "../../../schemas/admin-endpoints.ts";
import { AGENT_TOOLS, endpointsNotTools, inputJsonSchema, toolsFor } from "./tools.ts";

const properties = (tool: (typeof AGENT_TOOLS)[number]) =>
  inputJsonSchema(tool) as { properties: Record<string, unknown>; required?: string[] };

describe("the MCP tools", () => {
  it("are the read and admin endpoints, each a tool or named with why it is not", () => {
    const bearer = (Object.values(ADMIN_API) as Endpoint[]).filter(
      (e) => e.scope === "read" || e.scope === "admin",
    );
    const placed = [...AGENT_TOOLS.map((t) => t.name), ...endpointsNotTools().map((e) => e.name)];
    expect(bearer.map((e) => e.name).filter((name) => !placed.includes(name))).toEqual([]);
    expect(AGENT_TOOLS.map((t) => t.name)).not.toContain("mintOverrideToken");
    for (const tool of AGENT_TOOLS) expect(tool.scope).toBe(ADMIN_API[tool.name].scope);
  });

  it("a write tool requires a reason, takes no author, and says what it changes and cannot undo", () => {
    const writes = AGENT_TOOLS.filter((t) => t.scope === "admin");
    expect(writes.map((t) => t.name)).toEqual(
      expect.arrayContaining(["setWeights", "startRollout", "abortRollout", "applyService"]),
    );
    for (const tool of writes) {
      const schema = properties(tool);
      expect(schema.required, tool.name).toContain("reason");
      expect(Object.keys(schema.properties), tool.name).not.toContain("author");
      expect(tool.description, tool.name).toMatch(/Changes: .+ Cannot undo: .+/);
    }
  });

  it("a read tool takes no author or reason and says it changes nothing", () => {
    const reads = AGENT_TOOLS.filter((t) => t.scope === "read");
    expect(reads.length).toBeGreaterThan(0);
    for (const tool of reads) {
      expect(Object.keys(properties(tool).properties), tool.name).not.toContain("author");
      expect(Object.keys(properties(tool).properties), tool.name).not.toContain("reason");
      expect(tool.description, tool.name).toMatch(/Changes nothing\.$/);
    }
  });

  it("each tool's description reads as sentences: none starts in lower case or runs into the next", () => {
    for (const tool of AGENT_TOOLS) {
      expect(tool.description, tool.name).not.toMatch(/\.\s+[a-z]+\s/);
      expect(tool.description, tool.name).not.toMatch(/[a-z] Changes nothing\.$/);
    }
  });

  it("no argument name is taken twice by a path parameter, a query parameter and a body field", () => {
    for (const tool of AGENT_TOOLS) {
      const endpoint = tool.endpoint as Endpoint & { body?: { shape?: object } };
      const body = Object.keys(endpoint.body?.shape ?? {});
      const names = [...tool.paramNames, ...tool.queryNames, ...body];
      expect(new Set(names).size, tool.name).toBe(names.length);
    }
  });

  it("every argument of every tool says what it is for (force, instant, baseRevision… are not guessable)", () => {
    const undescribed = AGENT_TOOLS.flatMap((tool) =>
      Object.entries(properties(tool).properties)
        .filter(([, schema]) => !(schema as { description?: string }).description)
        .map(([name]) => `${tool.name}.${name}`),
    );
    expect(undescribed).toEqual([]);
  });

  it("serviceHistory hands an agent the newest entries, 100 unless it asks for more (a year of history is megabytes)", () => {
    const history = AGENT_TOOLS.find((t) => t.name === "serviceHistory")!;
    expect(properties(history).properties.last).toMatchObject({ default: 100, maximum: 1000 });
    expect(history.argumentDefaults).toEqual({ last: 100 });
  });

  it("listServices hands an agent a page of 50 services unless it asks for up to 100, and takes the next page's cursor", () => {
    const list = AGENT_TOOLS.find((t) => t.name === "listServices")!;
    const { limit, cursor } = properties(list).properties;
    expect(limit).toMatchObject({ default: 50, maximum: 100, description: expect.any(String) });
    expect(cursor).toMatchObject({ type: "string", description: expect.any(String) });
    expect(list.argumentDefaults).toEqual({ limit: 50 });
    expect(list.description).toMatch(/nextCursor/);
  });

  it("rolloutVerdicts hands an agent at most 100 verdicts, their judgements whole only when asked", () => {
    const verdicts = AGENT_TOOLS.find((t) => t.name === "rolloutVerdicts")!;
    const { last, judgements } = properties(verdicts).properties;
    expect(last).toMatchObject({ default: 10, maximum: 100 });
    expect(judgements).toMatchObject({ type: "boolean", description: expect.any(String) });
    expect(verdicts.boundedNames).toEqual(["last"]);
    expect(verdicts.optionNames).toEqual(["judgements"]);
    // The API keeps its own bound: an agent's is its own.
    expect(ADMIN_API.rolloutVerdicts.query.shape.last.safeParse(500).success).toBe(true);
  });

  it("uses only JSON Schema's own formats: a client that checks its schemas refuses one it does not know", () => {
    const known = new Set(["uri", "date-time", "email", "uuid", "ipv4", "ipv6", "hostname"]);
    const formats = new Set<string>();
    const walk = (node: unknown): void => {
      if (typeof node !== "object" || node === null) return;
      for (const [key, value] of Object.entries(node)) {
        if (key === "format" && typeof value === "string") formats.add(value);
        else walk(value);
      }
    };
    for (const tool of AGENT_TOOLS) walk(inputJsonSchema(tool));
    expect([...formats].filter((format) => !known.has(format))).toEqual([]);
  });

  it("only promoteRollout takes full: pause, resume and abort have no use for it", () => {
    const takesFull = AGENT_TOOLS.filter((t) => "full" in properties(t).properties);
    expect(takesFull.map((t) => t.name)).toEqual(["promoteRollout"]);
  });

  it("a read token's list holds only read tools; the admin token's holds all", () => {
    expect(toolsFor("read").every((t) => t.scope === "read")).toBe(true);
    expect(toolsFor("read").length).toBeGreaterThan(0);
    expect(toolsFor("admin")).toEqual(AGENT_TOOLS);
  });

  it("each tool's arguments are one JSON Schema object, with the endpoint's required fields", () => {
    const weights = AGENT_TOOLS.find((t) => t.name === "setWeights")!;
    expect(inputJsonSchema(weights)).toMatchObject({
      type: "object",
      additionalProperties: false,
      required: expect.arrayContaining(["name", "split", "reason"]),
    });
    for (const tool of AGENT_TOOLS) expect(inputJsonSchema(tool).type, tool.name).toBe("object");
  });
});
