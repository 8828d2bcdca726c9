// The admin API as MCP tools: one tool per declared endpoint (schemas/admin-endpoints.ts), its
// arguments the endpoint's path parameters, query and body fields side by side, its scope the
// endpoint's. What each tool changes and cannot undo is said here, once per endpoint; an endpoint
// that is no tool says why. Pure: docs/mcp.md is generated from this.
import * as z from "zod";
import { ADMIN_API, type Endpoint, type EndpointName } from "../../../schemas/admin-endpoints.ts";
import { AGENT_ANSWERS, MAX_WHOLE_VERDICTS } from "./agent-answers.ts";

/** What an agent is told of a read endpoint, of a write endpoint, or why an endpoint is no tool. */
type AgentTerms =
  | {
      reads: true;
      note?: string;
      argumentDefaults?: Record<string, number>;
      argumentMaximums?: Record<string, number>;
    }
  | { changes: string; cannotUndo: string; movesTraffic?: true }
  | { notATool: string };

/** Every endpoint must be placed: a new one is a type error here until someone decides. */
const TERMS: Record<EndpointName, AgentTerms> = {
  health: { notATool: "liveness for uptime checks, open without a token" },
  metrics: { notATool: "Prometheus text for a scraper; rolloutStatus carries a rollout's figures" },
  openApi: { notATool: "the HTTP API's description; tools/list is an agent's" },
  isolate: {
    notATool: "one isolate's counters: an agent's calls land on any isolate, so they mislead",
  },
  listServices: {
    reads: true,
    note: "A page of services in name order, each summed up: hosts, split served, each track's release, the release asked for; getService has a service's config whole. 50 unless limit says more (up to 100); a nextCursor that is not null is the cursor of the next page.",
    // The API answers every service whole without a limit (keystone get): megabytes for a fleet.
    argumentDefaults: { limit: 50 },
  },
  applyFile: {
    changes: "stores a new revision of each service in the file, served in seconds.",
    cannotUndo:
      "requests already served under the new config. revertService takes a service back to an earlier revision; a rollout the apply started runs until it ends or is aborted.",
  },
  planFile: { reads: true },
  analysisTest: {
    reads: true,
    note: "Calls the rollout's metric providers now (a request to each); stores nothing.",
  },
  getService: { reads: true },
  applyService: {
    changes: "stores a new revision of the service's config; the data plane serves it in seconds.",
    cannotUndo:
      "requests already served under it. revertService takes the service back to an earlier revision.",
    movesTraffic: true,
  },
  deleteService: {
    notATool:
      "removing a service stops serving its hosts at once and starts its history anew: left to a person (keystone delete)",
  },
  setWeights: {
    changes: "the split the data plane serves, as a new revision, live in seconds.",
    cannotUndo:
      "requests already routed: visitors moved to another version have been served by it. Setting the weights back moves them back.",
    movesTraffic: true,
  },
  revertService: {
    changes: "serves an earlier revision's config again, as a new revision.",
    cannotUndo: "requests already served; revert again to a later revision to go forward.",
    movesTraffic: true,
  },
  serviceHistory: {
    reads: true,
    note: "The newest entries, oldest first: 100 unless last says more (up to 1,000; a busy service's whole history runs to megabytes).",
    // The API answers every entry it keeps by default (keystone history); an agent's context holds less.
    argumentDefaults: { last: 100 },
  },
  mintOverrideToken: {
    notATool:
      "its answer is a credential that opens a version to whoever holds it and cannot be revoked alone",
  },
  rolloutStatus: { reads: true },
  listIncidents: { reads: true },
  getIncident: { reads: true, note: "Answers the incident as Markdown, and as data." },
  rolloutVerdicts: {
    reads: true,
    note: `An agent gets each judgement cut to its checks' sentences, beside the verdict's outcome, reason, step, weight and both versions' figures; judgements: true answers them whole (about 5 KB a verdict, up to ${MAX_WHOLE_VERDICTS} verdicts). The newest 10 unless last says more (up to 100), oldest first.`,
    // The API allows 500 verdicts whole, 2.6 MB: a watcher needs the newest few, in sentences.
    argumentMaximums: { last: 100 },
  },
  mirrorReport: { reads: true },
  startRollout: {
    changes:
      "sends the candidate its first step's share of traffic; the rollout then moves along its steps, or rolls back, on its own.",
    cannotUndo:
      "traffic the candidate has served. abortRollout sends all traffic back to the baseline.",
    movesTraffic: true,
  },
  promoteRollout: {
    changes:
      "moves the rollout past a gate to its next step, or with full: true gives the candidate all traffic now.",
    cannotUndo:
      "a finished promotion: going back is a new rollout or revertService. Traffic already served.",
    movesTraffic: true,
  },
  pauseRollout: {
    changes: "holds the rollout at its step; the split stays as it is.",
    cannotUndo: "nothing: resumeRollout continues from the same step.",
    movesTraffic: true,
  },
  resumeRollout: {
    changes: "lets a paused rollout move along its steps again.",
    cannotUndo: "the steps it takes after resuming (pause again to hold).",
    movesTraffic: true,
  },
  abortRollout: {
    changes:
      "sends all traffic back to the baseline and ends the rollout as aborted (recorded as an incident).",
    cannotUndo: "the rollout stays ended: going on takes a new startRollout, from its first step.",
    movesTraffic: true,
  },
  startRelease: {
    changes:
      "starts a release: rollouts of several services, each when its start conditions hold, judged as one.",
    cannotUndo: "rollouts it has started; abortRelease aborts every one of them.",
  },
  releaseStatus: { reads: true },
  abortRelease: {
    changes: "aborts every rollout the release started: their traffic goes back to each baseline.",
    cannotUndo: "the release stays aborted: start it again to retry.",
  },
  deployHook: {
    notATool: "signed by CI with DEPLOY_WEBHOOK_SECRET, not called with a bearer token",
  },
  explain: {
    reads: true,
    note: "Which version a request (host, path, headers, cookies, country, …) would get, and why.",
  },
  validate: {
    reads: true,
    note: "The config file's problems, each with its path; an empty list when it is valid.",
  },
};

/** The author every change made through MCP is recorded under (only the admin token changes). */
export const MCP_AUTHOR = "admin token via MCP";

/** Who made a change: given by MCP itself, never by the agent. */
const AUTHOR = "author";
/** Why: the agent must say, and history keeps it. */
export const REASON = "reason";

const SAY_WHY = "say why this change is made; history keeps it beside the author";

const Reason = z
  .string({
    error: (issue) => (issue.input === undefined ? `required: ${SAY_WHY}` : `not text: ${SAY_WHY}`),
  })
  .trim()
  .min(1, `empty: ${SAY_WHY}`)
  .max(1000)
  .describe("why this change is made; kept in history beside the author");

export interface AgentTool {
  name: EndpointName;
  endpoint: Endpoint;
  scope: "read" | "admin";
  description: string;
  /** Whether the answer also tells the split now served and the service's revision. */
  movesTraffic: boolean;
  /** Which arguments are path parameters and which are query parameters; the rest is the body. */
  paramNames: readonly string[];
  queryNames: readonly string[];
  /** Arguments of the tool's own (agent-answers.ts), never sent to the API. */
  optionNames: readonly string[];
  /** The arguments as one object: what tools/list shows (the API checks them as it always does). */
  input: z.ZodObject;
  /** Query arguments whose default for an agent differs from the API's, sent when left out. */
  argumentDefaults: Record<string, number>;
  /** Query arguments an agent may ask less of than the API allows: checked before the call. */
  boundedNames: readonly string[];
}

/** The fields of a declared body an agent gives (a body that is not an object has none). */
function bodyShape(endpoint: Endpoint): z.ZodRawShape {
  if (!("body" in endpoint) || !(endpoint.body instanceof z.ZodObject)) return {};
  return endpoint.body.shape;
}

function describe(endpoint: Endpoint, terms: AgentTerms): string {
  if ("reads" in terms)
    return [`${endpoint.summary}.`, terms.note, "Changes nothing."].filter(Boolean).join(" ");
  if ("changes" in terms)
    return [
      `${endpoint.summary}.`,
      `Changes: ${terms.changes}`,
      `Cannot undo: ${terms.cannotUndo}`,
      `Needs the admin token and a reason; recorded in history as "${MCP_AUTHOR}".`,
      terms.movesTraffic ? "Answers with the split now served and the revision." : "",
    ]
      .filter(Boolean)
      .join(" ");
  return endpoint.summary;
}

function toolOf(endpoint: Endpoint, terms: AgentTerms): AgentTool | undefined {
  if ("notATool" in terms || (endpoint.scope !== "read" && endpoint.scope !== "admin")) return;
  const params = "params" in endpoint ? endpoint.params.shape : {};
  // A copy: an agent's default must not become the API's.
  const query: Record<string, z.ZodType> = {
    ...("query" in endpoint ? endpoint.query.shape : {}),
  };
  const writes = endpoint.scope === "admin";
  const argumentDefaults = ("argumentDefaults" in terms && terms.argumentDefaults) || {};
  for (const [name, value] of Object.entries(argumentDefaults)) {
    const field = query[name];
    if (!(field instanceof z.ZodDefault || field instanceof z.ZodOptional))
      throw new Error(`${endpoint.name}: no optional ${name}`);
    const bare = (
      field instanceof z.ZodDefault ? field.removeDefault() : field.unwrap()
    ) as z.ZodNumber;
    query[name] = bare
      .default(value)
      .describe(`${field.description ?? name} (${value} unless given)`);
  }
  const argumentMaximums = ("argumentMaximums" in terms && terms.argumentMaximums) || {};
  for (const [name, max] of Object.entries(argumentMaximums)) {
    const field = query[name];
    if (!(field instanceof z.ZodDefault)) throw new Error(`${endpoint.name}: no defaulted ${name}`);
    const bare = field.removeDefault() as z.ZodNumber;
    query[name] = bare
      .max(max, `at most ${max} for an agent`)
      .default(field.def.defaultValue as number)
      .describe(`${field.description ?? name}; at most ${max} for an agent`);
  }
  const options = AGENT_ANSWERS[endpoint.name]?.options ?? {};
  // Only a change is attributed: a read's body takes no author, and no reason worth asking for.
  const { [AUTHOR]: _author, [REASON]: _reason, ...body } = bodyShape(endpoint);
  return {
    name: endpoint.name,
    endpoint,
    scope: endpoint.scope,
    description: describe(endpoint, terms),
    movesTraffic: "movesTraffic" in terms && terms.movesTraffic === true,
    paramNames: Object.keys(params),
    queryNames: Object.keys(query),
    optionNames: Object.keys(options),
    argumentDefaults,
    boundedNames: Object.keys(argumentMaximums),
    input: z.strictObject({
      ...params,
      ...query,
      ...body,
      ...options,
      ...(writes ? { [REASON]: Reason } : {}),
    }),
  };
}

/** The tools, in the declarations' order. */
export const AGENT_TOOLS: readonly AgentTool[] = (Object.values(ADMIN_API) as Endpoint[]).flatMap(
  (endpoint) => toolOf(endpoint, TERMS[endpoint.name]) ?? [],
);

const BY_NAME = new Map(AGENT_TOOLS.map((tool) => [tool.name as string, tool]));

export function agentTool(name: string): AgentTool | undefined {
  return BY_NAME.get(name);
}

/** The tools a token's scope may call: a read token sees only the read tools. */
export function toolsFor(scope: "read" | "admin"): AgentTool[] {
  return AGENT_TOOLS.filter((tool) => scope === "admin" || tool.scope === "read");
}

/** The endpoints that are no tool, each with why (docs/mcp.md lists them). */
export function endpointsNotTools(): { name: EndpointName; why: string }[] {
  return Object.entries(TERMS).flatMap(([name, terms]) =>
    "notATool" in terms ? [{ name: name as EndpointName, why: terms.notATool }] : [],
  );
}

const jsonSchemas = new Map<string, Record<string, unknown>>();

/**
 * Formats zod writes for its string checks that JSON Schema does not define: the check is in the
 * `pattern` beside them, and a client that validates its tools' schemas refuses a format it does
 * not know.
 */
const ZOD_ONLY_FORMATS = new Set(["starts_with", "ends_with", "includes"]);

/** The tool's arguments as JSON Schema (computed once per isolate: the config file's is large). */
export function inputJsonSchema(tool: AgentTool): Record<string, unknown> {
  let schema = jsonSchemas.get(tool.name);
  if (!schema) {
    const { $schema: _, ...rest } = z.toJSONSchema(tool.input, {
      io: "input",
      unrepresentable: "any",
      override: ({ jsonSchema }) => {
        if (typeof jsonSchema.format === "string" && ZOD_ONLY_FORMATS.has(jsonSchema.format))
          delete jsonSchema.format;
      },
    }) as Record<string, unknown>;
    schema = rest;
    jsonSchemas.set(tool.name, schema);
  }
  return schema;
}
