// An agent's call of an endpoint, made as a request to the admin API itself with the caller's
// bearer token and address: the same scope check, refusal count, body limit, input parsing,
// handler and masking as a person's call over HTTP, by construction.
import type { Hono } from "hono";
import type { Endpoint } from "../../../schemas/admin-endpoints.ts";
import type { ErrorEnvelope } from "../../../schemas/api.ts";
import type { Env } from "../../env.ts";
import type { AdminContext } from "../endpoints.ts";

export type AdminApp = Hono<{ Bindings: Env }>;

/** What an endpoint is called with: path parameters, query and body, as the API reads them. */
export interface EndpointCall {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
}

export type ApiAnswer =
  | { ok: true; value: unknown }
  | { ok: false; status: number; error: ErrorEnvelope["error"] };

/** Headers of the agent's request that the API's checks read: who, and from where. */
const CALLER_HEADERS = ["authorization", "cf-connecting-ip"];

export class AdminDispatch {
  readonly #app: AdminApp;
  readonly #caller: AdminContext;

  constructor(app: AdminApp, caller: AdminContext) {
    this.#app = app;
    this.#caller = caller;
  }

  /** Where the agent reached the admin API: links in answers (the status page) point there. */
  get origin(): string {
    return new URL(this.#caller.req.url).origin;
  }

  async call(endpoint: Endpoint, call: EndpointCall): Promise<ApiAnswer> {
    // A path parameter left empty or a dot segment would reach another path once the URL
    // resolves it: a prompt's incident ".." asked GET …/services/shop/ and read the service's
    // record as an incident (an internal error). Tools say so in their own words first; resources
    // and prompts come here with what the agent gave.
    for (const name of endpoint.path.match(/\{(\w+)\}/g) ?? []) {
      const key = name.slice(1, -1);
      const value = call.params?.[key];
      const segment = value === undefined || value === null ? "" : String(value);
      if (segment === "" || segment === "." || segment === "..")
        return {
          ok: false,
          status: 400,
          error: {
            code: "invalid",
            message: `${key}: ${segment === "" ? "required" : `"${segment}" is not a name`}`,
          },
        };
    }
    const path = endpoint.path.replace(/\{(\w+)\}/g, (_, name: string) =>
      encodeURIComponent(String(call.params?.[name] ?? "")),
    );
    const url = new URL(path, this.#caller.req.url);
    for (const [name, value] of Object.entries(call.query ?? {}))
      if (value !== undefined) url.searchParams.set(name, String(value));
    const headers = new Headers();
    for (const name of CALLER_HEADERS) {
      const value = this.#caller.req.header(name);
      if (value !== undefined) headers.set(name, value);
    }
    const hasBody = call.body !== undefined && endpoint.method !== "GET";
    if (hasBody) headers.set("content-type", "application/json");
    const request = new Request(url, {
      method: endpoint.method,
      headers,
      ...(hasBody ? { body: JSON.stringify(call.body) } : {}),
    });
    const response = await this.#app.fetch(request, this.#caller.env, this.#executionContext());
    const json = (await response.json().catch(() => undefined)) as unknown;
    if (response.ok) return { ok: true, value: json };
    const error = (json as Partial<ErrorEnvelope> | undefined)?.error;
    return {
      ok: false,
      status: response.status,
      error: error ?? {
        code: "internal",
        message: `the admin API answered HTTP ${response.status}`,
      },
    };
  }

  /** The caller's, so work an endpoint leaves to waitUntil still runs; none under a bare fetch. */
  #executionContext(): AdminContext["executionCtx"] | undefined {
    try {
      return this.#caller.executionCtx;
    } catch {
      return undefined;
    }
  }
}

/** The API's refusal in words: its code and message, then each problem with the field it names. */
export function refusalText(error: ErrorEnvelope["error"]): string {
  return [
    `${error.code}: ${error.message}`,
    ...(error.problems ?? []).map((problem) => `- ${problem.path}: ${problem.message}`),
  ].join("\n");
}

/** JSON-RPC error codes: the caller's mistake, a resource that is not there (MCP), our fault. */
export const INVALID_PARAMS = -32602;
export const RESOURCE_NOT_FOUND = -32002;
const INTERNAL_ERROR = -32603;

/**
 * A refusal as a JSON-RPC error: the SDK answers an error's numeric `code` as it is, so a name
 * that does not exist is the caller's error (invalid params; resource not found for a resource),
 * not "internal error", which says the server broke.
 */
export class AgentError extends Error {
  readonly code: number;

  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

/** An answer the caller cannot go on without (resources, prompts): its value, or the refusal thrown. */
export function answerValue(answer: ApiAnswer, notFoundCode = INVALID_PARAMS): unknown {
  if (answer.ok) return answer.value;
  const code =
    answer.status === 404 ? notFoundCode : answer.status < 500 ? INVALID_PARAMS : INTERNAL_ERROR;
  throw new AgentError(code, refusalText(answer.error));
}
