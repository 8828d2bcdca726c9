// One agent's MCP request: a server for its token's scope (tools, resources, the prompt), each
// tool call checked for what only MCP asks (a reason, no author, no secret in an argument) and
// then made as a call of the admin API, whose answer or refusal the agent gets as it is.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  isJSONRPCRequest,
  type JSONRPCErrorResponse,
  type JSONRPCMessage,
  ListToolsRequestSchema,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import {
  ADMIN_API,
  type AdminApi,
  type EndpointAnswer,
  type EndpointName,
} from "../../../schemas/admin-endpoints.ts";
import type { IncidentResponse } from "../../../schemas/api-responses.ts";
import { nestedTooDeep } from "../../../schemas/problems.ts";
import { incidentMarkdown } from "../../core/rollout/incident-markdown.ts";
import type { Scope } from "../auth.ts";
import { AGENT_ANSWERS } from "./agent-answers.ts";
import { type AdminDispatch, type EndpointCall, INVALID_PARAMS, refusalText } from "./dispatch.ts";
import { registerPrompts } from "./prompts.ts";
import { registerResources } from "./resources.ts";
import { secretPath } from "./secret-arguments.ts";
import {
  type AgentTool,
  agentTool,
  inputJsonSchema,
  MCP_AUTHOR,
  REASON,
  toolsFor,
} from "./tools.ts";

const SERVER_INFO = { name: "keystone-edge", version: "0.1.0" };

const INSTRUCTIONS = [
  "Keystone Edge splits a service's traffic between versions and rolls releases out by canary.",
  "Read tools change nothing. Write tools need the admin token and a reason; each change is a",
  `revision recorded as "${MCP_AUTHOR}" with that reason, shown by keystone history.`,
  "Never put a token in an argument: it goes in the Authorization header only.",
].join(" ");

/** How a tool's answer reads as text, where plain JSON is not the best form. */
const TEXT_VIEWS: Partial<Record<EndpointName, (value: unknown, origin: string) => string>> = {
  getIncident: (value, origin) => incidentMarkdown(value as IncidentResponse, { baseUrl: origin }),
};

/**
 * Requests one POST may carry (a JSON-RPC batch; MCP 2025-06-18 dropped batches, the SDK still
 * reads them). Each may cost a call per service of a page (resources/list reads a page of
 * services' records), so a batch of a hundred was a hundred times what one request may cost.
 */
export const MAX_REQUESTS_PER_POST = 10;

const refused = (text: string): CallToolResult => ({
  content: [{ type: "text", text }],
  isError: true,
});

export class AgentSession {
  readonly server: McpServer;
  readonly #dispatch: AdminDispatch;
  readonly #scope: Scope;
  readonly #secrets: readonly string[];

  constructor(dispatch: AdminDispatch, scope: Scope, secrets: readonly string[]) {
    this.#dispatch = dispatch;
    this.#scope = scope;
    this.#secrets = secrets;
    this.server = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS });
    // Tools by hand, not registerTool: the API parses the arguments itself (one parse, its
    // wording), and a read token's list leaves the write tools out.
    this.server.server.registerCapabilities({ tools: {} });
    this.server.server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: this.listTools(),
    }));
    this.server.server.setRequestHandler(CallToolRequestSchema, (request) =>
      this.callTool(request.params.name, request.params.arguments ?? {}),
    );
    registerResources(this.server, dispatch);
    registerPrompts(this.server, dispatch);
  }

  /**
   * Serves the request's messages (a session serves one POST). A tools/call whose arguments are
   * not an object is refused first, as invalid params: the SDK parses a request against its
   * schema before any handler runs, and answers that parse's failure as an internal error, the
   * server's fault. Requests past MAX_REQUESTS_PER_POST are refused, each with its id.
   */
  async connect(transport: Transport): Promise<void> {
    await this.server.connect(transport);
    const deliver = transport.onmessage;
    let requests = 0;
    transport.onmessage = (message, extra) => {
      if (isJSONRPCRequest(message)) requests++;
      const refusal =
        requests > MAX_REQUESTS_PER_POST && isJSONRPCRequest(message)
          ? overBatch(message.id)
          : malformedToolCall(message);
      if (!refusal) return deliver?.(message, extra);
      transport.send(refusal).catch((error: Error) => transport.onerror?.(error));
    };
  }

  listTools(): Tool[] {
    return toolsFor(this.#scope).map((tool) => ({
      name: tool.name,
      description: tool.description,
      inputSchema: inputJsonSchema(tool) as Tool["inputSchema"],
      annotations: {
        readOnlyHint: tool.scope === "read",
        destructiveHint: tool.scope === "admin",
        openWorldHint: false,
      },
    }));
  }

  async callTool(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    const tool = agentTool(name);
    if (!tool) return refused(`no tool "${name}": tools/list names the tools this token may call`);
    // Before anything walks the arguments (the secret search and the API's schemas recurse).
    const deep = nestedTooDeep(args);
    if (deep) return refused(`${deep.path}: ${deep.message}. Nothing was done.`);
    const secretAt = secretPath(args, this.#secrets);
    if (secretAt !== undefined)
      return refused(
        `${secretAt}: holds a Keystone secret (a token or key). Tokens go in the Authorization header, never in arguments, where history would keep them. Nothing was done.`,
      );
    const call = this.#endpointCall(tool, args);
    if (typeof call === "string") return refused(call);
    const answer = await this.#dispatch.call(tool.endpoint, call.api);
    if (!answer.ok) return refused(refusalText(answer.error));
    const value = AGENT_ANSWERS[tool.name]?.shape(answer.value, call.options) ?? answer.value;
    const view = TEXT_VIEWS[tool.name];
    const text = view ? view(value, this.#dispatch.origin) : JSON.stringify(value, null, 2);
    const serving = tool.movesTraffic ? await this.#servingNow(call.api) : undefined;
    return {
      content: [{ type: "text", text: serving ? `${serving.line}\n\n${text}` : text }],
      ...(isRecord(value)
        ? { structuredContent: serving ? { ...value, servingNow: serving.now } : value }
        : {}),
    };
  }

  /**
   * The agent's arguments as the endpoint takes them, with the tool's own options beside them,
   * or what is wrong with them.
   */
  #endpointCall(
    tool: AgentTool,
    args: Record<string, unknown>,
  ): { api: EndpointCall; options: Record<string, unknown> } | string {
    const params: Record<string, unknown> = {};
    const query: Record<string, unknown> = { ...tool.argumentDefaults };
    const options: Record<string, unknown> = {};
    const rest: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(args)) {
      if (tool.paramNames.includes(key)) params[key] = value;
      else if (tool.queryNames.includes(key)) query[key] = value;
      else if (tool.optionNames.includes(key)) options[key] = value;
      else rest[key] = value;
    }
    // The API checks its own arguments; what only an agent is held to is checked here.
    for (const [name, value] of [
      ...tool.boundedNames.map((name) => [name, query[name]] as const),
      ...Object.entries(options),
    ]) {
      const checked = tool.input.shape[name]?.safeParse(value);
      if (checked && !checked.success)
        return `${name}: ${checked.error.issues[0]?.message ?? "not valid"}. Nothing was done.`;
    }
    const tooMuch = AGENT_ANSWERS[tool.name]?.refuse?.({ ...query, ...options });
    if (tooMuch) return `${tooMuch}. Nothing was done.`;
    // A path parameter left out or empty (or a dot segment, which the URL resolves away) would
    // reach another path: "no admin endpoint GET …/services//rollout" names no argument.
    for (const name of tool.paramNames) {
      const value = params[name];
      const segment = value === undefined || value === null ? "" : String(value);
      if (segment === "" || segment === "." || segment === "..")
        return `${name}: ${segment === "" ? "required" : `"${segment}" is not a name`} (${
          tool.input.shape[name]?.description ?? "a path parameter"
        })`;
    }
    const writes = tool.scope === "admin";
    if (writes && "author" in rest)
      return `author: set by Keystone to "${MCP_AUTHOR}", not by the agent; leave it out`;
    // A read token's write is left to the API to refuse, with its own words.
    if (writes && this.#scope === "admin") {
      const reason = tool.input.shape[REASON]?.safeParse(rest[REASON]);
      if (reason && !reason.success)
        return `${REASON}: ${reason.error.issues[0]?.message ?? "required"}. Nothing was done.`;
    }
    if (!("body" in tool.endpoint)) {
      const unknown = Object.keys(rest);
      if (unknown.length > 0)
        return `${unknown.join(", ")}: not an argument of ${tool.name} (it takes: ${
          [...tool.paramNames, ...tool.queryNames, ...tool.optionNames].join(", ") || "none"
        })`;
      return { api: { params, query }, options };
    }
    return {
      api: { params, query, body: writes ? { ...rest, author: MCP_AUTHOR } : rest },
      options,
    };
  }

  /** The split the data plane serves now and the service's revision, after a traffic change. */
  async #servingNow(
    call: EndpointCall,
  ): Promise<
    { line: string; now: { split: Record<string, number>; revision: number } } | undefined
  > {
    const params = { name: call.params?.name };
    const [status, service] = await Promise.all([
      this.#dispatch.call(ADMIN_API.rolloutStatus, { params }),
      this.#dispatch.call(ADMIN_API.getService, { params }),
    ]);
    if (!status.ok || !service.ok) return undefined;
    // Answers the API has checked against these declared schemas on their way out.
    const { split } = status.value as EndpointAnswer<AdminApi["rolloutStatus"]>;
    const { revision } = service.value as EndpointAnswer<AdminApi["getService"]>;
    const shares = Object.entries(split)
      .map(([track, weight]) => `${track} ${weight}%`)
      .join(", ");
    return {
      line: `Now serving ${String(params.name)}: ${shares} (revision ${revision}).`,
      now: { split, revision },
    };
  }
}

/** A request past MAX_REQUESTS_PER_POST, answered as an invalid request by its id. */
function overBatch(id: JSONRPCErrorResponse["id"]): JSONRPCErrorResponse {
  return {
    jsonrpc: "2.0",
    id,
    error: {
      code: ErrorCode.InvalidRequest,
      message: `at most ${MAX_REQUESTS_PER_POST} requests in one POST: send the rest in another`,
    },
  };
}

/** A tools/call whose arguments are there but not an object, answered as invalid params. */
function malformedToolCall(message: JSONRPCMessage): JSONRPCErrorResponse | undefined {
  if (!isJSONRPCRequest(message) || message.method !== "tools/call") return;
  const args = message.params?.arguments;
  if (args === undefined || isRecord(args)) return;
  const kind = args === null ? "null" : Array.isArray(args) ? "an array" : `a ${typeof args}`;
  return {
    jsonrpc: "2.0",
    id: message.id,
    error: {
      code: INVALID_PARAMS,
      message: `arguments must be an object, each argument by its name, not ${kind}`,
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
