// Each declared endpoint (schemas/admin-endpoints.ts) on the app: its scope checked, then its path
// parameters, query and body parsed by middleware (problems come back with their paths), its
// handler given what they parsed, and its answer checked against the declared schema, so what
// leaves the API is exactly what the OpenAPI document and the CLI expect.
import type { Context, Hono, MiddlewareHandler } from "hono";
import type * as z from "zod";
import type {
  AdminApi,
  Endpoint,
  EndpointInput,
  EndpointName,
} from "../../schemas/admin-endpoints.ts";
import { nestedTooDeep, problemsOf } from "../../schemas/problems.ts";
import type { Env } from "../env.ts";
import { requireScope } from "./auth.ts";
import { limitBody } from "./body-limit.ts";
import { deployHookGate } from "./deploy-hook-gate.ts";
import { ApiError, ObjectAnswer, parseRpc } from "./errors.ts";

export type AdminContext = Context<{ Bindings: Env }>;

type Step = MiddlewareHandler<{ Bindings: Env }>;

/** A handler's answer: the value to send (checked on the way out), or a Response for text. */
type HandlerAnswer<E> = E extends { response: infer R extends z.ZodType }
  ? z.input<R> | ObjectAnswer
  : Response;

export type Handler<N extends EndpointName> = (
  input: EndpointInput<AdminApi[N], "output">,
  c: AdminContext,
) => HandlerAnswer<AdminApi[N]> | Promise<HandlerAnswer<AdminApi[N]>>;

/** One handler per declared endpoint, under its name. */
export type Handlers = { [N in EndpointName]: Handler<N> };

const BAD_BODY = "the request body is not valid";

/** Reads a JSON request body and parses it with its schema; problems come back with their paths. */
async function readBody(c: Context, schema: z.ZodType): Promise<unknown> {
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    throw new ApiError("bad_request", "the request body is not valid JSON");
  }
  // Before any schema reads it: a hostile depth would overflow their recursion (a 500).
  const deep = nestedTooDeep(json);
  if (deep) throw new ApiError("invalid", BAD_BODY, [deep]);
  return parsed(schema, json, BAD_BODY);
}

type Target = "param" | "query" | "json";

/** Middleware that parses one input of the request and hands it on as hono's validated data. */
function parsing(target: Target, read: (c: Context) => Promise<unknown>): Step {
  return async (c, next) => {
    c.req.addValidatedData(target, (await read(c)) as object);
    await next();
  };
}

function parsed(schema: z.ZodType, value: unknown, what: string): unknown {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ApiError("invalid", what, problemsOf(result.error));
}

/** No body sent: no length, or no content type to read it by. */
const bodyless = (c: Context) =>
  c.req.header("content-length") === "0" || !c.req.header("content-type");

function inputChecks(endpoint: Endpoint): Step[] {
  const checks: Step[] = [];
  if (endpoint.scope === "read" || endpoint.scope === "admin")
    checks.push(requireScope(endpoint.scope));
  if (endpoint.scope === "webhook") checks.push(deployHookGate);
  // After the gate: an anonymous request's body is never read (body-limit.ts).
  checks.push(limitBody());
  if ("params" in endpoint) {
    const schema = endpoint.params;
    checks.push(
      parsing("param", async (c) => parsed(schema, c.req.param(), "bad path parameters")),
    );
  }
  if ("query" in endpoint) {
    const schema = endpoint.query;
    checks.push(
      parsing("query", async (c) => parsed(schema, c.req.query(), "bad query parameters")),
    );
  }
  if ("body" in endpoint && !("rawBody" in endpoint)) {
    const schema = endpoint.body;
    const optional = "bodyOptional" in endpoint;
    checks.push(
      parsing("json", async (c) =>
        optional && bodyless(c) ? parsed(schema, {}, BAD_BODY) : readBody(c, schema),
      ),
    );
  }
  return checks;
}

/** The value hono's validated data holds for `target` (undefined when the endpoint has none). */
function validated(c: Context, target: Target): unknown {
  return (c.req.valid as (target: Target) => unknown)(target);
}

/** Registers the endpoint at its path (`{name}` as hono's `:name`), with its checks and handler. */
export function route(
  app: Hono<{ Bindings: Env }>,
  endpoint: Endpoint,
  handler: (input: never, c: AdminContext) => unknown,
): void {
  const run = handler as (input: unknown, c: AdminContext) => unknown;
  const answer: Step = async (c) => {
    const input = {
      params: validated(c, "param"),
      query: validated(c, "query"),
      body: validated(c, "json"),
    };
    const value = await run(input, c);
    if (endpoint.response === "text") return value as Response;
    return c.json(
      (value instanceof ObjectAnswer
        ? parseRpc(endpoint.response, value.value, value.what)
        : parseRpc(endpoint.response, value, "the admin API response")) as object,
    );
  };
  const steps = [...inputChecks(endpoint), answer];
  app.on(endpoint.method, endpoint.path.replace(/\{(\w+)\}/g, ":$1"), steps[0]!, ...steps.slice(1));
}
