// /_keystone/mcp: the Model Context Protocol over Streamable HTTP, stateless (a Worker keeps no
// session between requests): each POST gets a server for its token's scope and a transport of its
// own, answered as JSON. The bearer check, its refusal count and the body limit ran before this.
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { MAX_BODY_BYTES } from "../../../schemas/api.ts";
import { callerScope } from "../auth.ts";
import type { AdminContext } from "../endpoints.ts";
import { ApiError } from "../errors.ts";
import { type AdminApp, AdminDispatch } from "./dispatch.ts";
import { workerSecrets } from "./secret-arguments.ts";
import { AgentSession } from "./session.ts";

export class McpEndpoint {
  readonly #app: AdminApp;

  constructor(app: AdminApp) {
    this.#app = app;
  }

  async answer(c: AdminContext): Promise<Response> {
    // No session means no stream for the server to push on (GET) and nothing to end (DELETE).
    if (c.req.method !== "POST")
      return c.json(
        {
          jsonrpc: "2.0",
          error: {
            code: -32000,
            message: `${c.req.method} is not served: this MCP server is stateless, POST only`,
          },
          id: null,
        },
        405,
        { allow: "POST" },
      );
    const scope = callerScope(c);
    // requireScope ran first; a request here without a scope is our bug, not the caller's.
    if (!scope) throw new ApiError("internal", "the MCP endpoint was reached without a token");
    const session = new AgentSession(
      new AdminDispatch(this.#app, c),
      scope,
      workerSecrets(c.env, scope),
    );
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize: MAX_BODY_BYTES,
    });
    await session.connect(transport);
    return transport.handleRequest(c.req.raw);
  }
}
