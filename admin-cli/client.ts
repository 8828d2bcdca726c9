// The one HTTP client of the admin API: endpoints called by their declared name
// (schemas/admin-endpoints.ts), auth, JSON, API errors turned into CLI errors, and every answer
// parsed once with its declared schema (a mismatch is a clear error, not a crash later).
import type * as z from "zod";
import {
  ADMIN_API,
  type AdminApi,
  type EndpointAnswer,
  type EndpointInput,
  type EndpointName,
  type EndpointSpec,
} from "../schemas/admin-endpoints.ts";
import { ErrorEnvelope } from "../schemas/api.ts";
import { formatPath } from "../schemas/problems.ts";
import type { Target } from "./contexts/target.ts";
import { CliError, EXIT, exitCodeForApi } from "./errors.ts";

/** A Cloudflare Access service token: lets the CLI through Access in front of the admin host. */
export interface AccessServiceToken {
  clientId: string;
  clientSecret: string;
}

/** The endpoints that answer JSON (every one but the Prometheus metrics). */
type JsonEndpoint = {
  [N in EndpointName]: AdminApi[N]["response"] extends z.ZodType ? N : never;
}[EndpointName];

type CallInput<N extends EndpointName> = EndpointInput<AdminApi[N], "input">;

/** A call's input: path parameters, query and body as declared; none for an endpoint without. */
type CallArgs<N extends EndpointName> =
  object extends CallInput<N> ? [input?: CallInput<N>] : [input: CallInput<N>];

interface GivenInput {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
}

/** The declared path with its parameters filled in (encoded), and the query, if any. */
function pathOf(endpoint: EndpointSpec, input: GivenInput): string {
  const path = endpoint.path.replace(/\{(\w+)\}/g, (_, key: string) =>
    encodeURIComponent(String(input.params?.[key])),
  );
  const query = new URLSearchParams(
    Object.entries(input.query ?? {}).flatMap(([key, value]) =>
      value === undefined ? [] : [[key, String(value)]],
    ),
  ).toString();
  return query ? `${path}?${query}` : path;
}

/** Where a client's token comes from, asked at the first request (see contexts/target.ts). */
export type TokenSource = Pick<Target, "token" | "tokenGiven">;

/** How long a request may take before the CLI gives up on its answer. */
const REQUEST_TIMEOUT_MS = 30_000;
/** More for each service a file's request carries: the Worker calls each one's object (plan, apply). */
const REQUEST_TIMEOUT_PER_SERVICE_MS = 100;

/** The wait for a request's answer: a file of 2,000 services takes far longer than one service. */
function timeoutFor(body: unknown, base: number): number {
  const services = (body as { services?: unknown } | undefined)?.services;
  return base + (Array.isArray(services) ? services.length * REQUEST_TIMEOUT_PER_SERVICE_MS : 0);
}

export class ApiClient {
  readonly baseUrl: string;
  /** The wait for an answer, before a file's allowance per service (tests shorten it). */
  timeoutMs = REQUEST_TIMEOUT_MS;
  /** A source is asked at the first request: a command that sends none never needs a token. */
  readonly #token: string | undefined | TokenSource;
  readonly #access: AccessServiceToken | undefined;
  /**
   * Whether anything at the URL has answered this command yet (any status): after that, nothing
   * answering is the Worker blinking, not a wrong --url (a wait polls through it).
   */
  answered = false;

  constructor(
    baseUrl: string,
    token: string | undefined | TokenSource,
    access?: AccessServiceToken,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.#token = token;
    this.#access = access;
  }

  /** Calls the endpoint declared under `name`; its answer parsed with the declared schema. */
  call<N extends JsonEndpoint>(
    name: N,
    ...[input]: CallArgs<N>
  ): Promise<EndpointAnswer<AdminApi[N]>> {
    const endpoint: EndpointSpec = ADMIN_API[name];
    const given = (input ?? {}) as GivenInput;
    return this.request(
      endpoint.response as z.ZodType,
      endpoint.method,
      pathOf(endpoint, given),
      given.body,
    ) as Promise<EndpointAnswer<AdminApi[N]>>;
  }

  /** Like call, but null when the thing does not exist (404). */
  async find<N extends JsonEndpoint>(
    name: N,
    ...input: CallArgs<N>
  ): Promise<EndpointAnswer<AdminApi[N]> | null> {
    try {
      return await this.call(name, ...input);
    } catch (error) {
      if (error instanceof CliError && error.notFound) return null;
      throw error;
    }
  }

  /** A request to `path` on the admin host, its answer parsed with `schema`. */
  async request<S extends z.ZodType>(
    schema: S,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<z.output<S>> {
    const url = `${this.baseUrl}${path}`;
    const token = typeof this.#token === "object" ? this.#token.token() : this.#token;
    const timeoutMs = timeoutFor(body, this.timeoutMs);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(this.#access
            ? {
                "cf-access-client-id": this.#access.clientId,
                "cf-access-client-secret": this.#access.clientSecret,
              }
            : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
        // The admin API never redirects: a redirect is something in front of it (Access's
        // sign-in page, an http→https rule), and following it would lose the method and body.
        redirect: "manual",
      });
    } catch (error) {
      if ((error as Error).name === "TimeoutError")
        throw unreachable(unanswered(method, url, `got no answer within ${waitText(timeoutMs)}`));
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      // Reached, then dropped (a Worker restarting, a proxy in front of it): the request may have
      // been carried out, which "cannot reach … is the Worker running?" would deny.
      if (cause?.code === "ECONNRESET" || cause?.code === "UND_ERR_SOCKET")
        throw unreachable(unanswered(method, url, "lost its connection before an answer came"));
      throw unreachable(
        new CliError(
          EXIT.error,
          `cannot reach the Keystone admin API at ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
          ["  is the Worker running (npm start), and is --url / KEYSTONE_URL right?"],
        ),
      );
    }
    this.answered = true;
    if (response.status >= 300 && response.status < 400) throw redirected(method, url, response);
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      const failure = new CliError(
        EXIT.error,
        `${method} ${url} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
      );
      throw response.status >= 500 ? transient(failure) : failure;
    }
    if (response.ok) {
      const parsed = schema.safeParse(json);
      if (parsed.success) return parsed.data;
      throw new CliError(
        EXIT.error,
        `${method} ${url} answered in an unexpected shape: is this keystone the same version as the Worker?`,
        parsed.error.issues.slice(0, 5).map((i) => `  ${formatPath(i.path)}: ${i.message}`),
      );
    }
    const envelope = ErrorEnvelope.safeParse(json);
    if (!envelope.success) {
      const failure = new CliError(
        EXIT.error,
        `${method} ${url} failed with HTTP ${response.status}`,
      );
      throw response.status >= 500 ? transient(failure) : failure;
    }
    const { code, message, problems } = envelope.data.error;
    const failure = new CliError(exitCodeForApi(code), message, [
      ...(problems ?? []).map((p) => `  ${p.path}: ${p.message}`),
      ...(code === "unauthorized" ? this.#refusedTokenHint() : []),
    ]);
    failure.notFound = code === "not_found";
    throw response.status >= 500 ? transient(failure) : failure;
  }

  /**
   * What to do about a refused token. One given explicitly (--token, KEYSTONE_TOKEN, a context) is
   * named; the hint about npm start's .dev.vars is only for the local Worker's own token, or none.
   */
  #refusedTokenHint(): string[] {
    const given =
      typeof this.#token === "object" ? this.#token.tokenGiven() : this.#token && "the token given";
    if (given)
      return [`  the token from ${given} was refused: give this Worker's admin or read token`];
    const local = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(this.baseUrl);
    return [
      "  pass --token or set KEYSTONE_TOKEN",
      ...(local
        ? [
            "  (npm start's token is in its .dev.vars: run from the project folder, or set KEYSTONE_LOCAL_DIR as npm start had it)",
          ]
        : []),
    ];
  }
}

/** Marks a failure that may pass (see CliError.transient). */
function transient(error: CliError): CliError {
  error.transient = true;
  return error;
}

/** Marks a failure where nothing answered, which may pass too (see CliError.unreachable). */
function unreachable(error: CliError): CliError {
  error.unreachable = true;
  return transient(error);
}

/**
 * The Worker took the request but did not answer in time: not "cannot reach", and a change may
 * still land (a file's services are stored by the Worker after the CLI stops waiting).
 */
const waitText = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);

/** A request the Worker (or what is in front of it) took and never answered: `what` says how. */
function unanswered(method: string, url: string, what: string): CliError {
  return new CliError(EXIT.error, `${method} ${url} ${what}`, [
    method === "GET"
      ? "  the Worker is busy or stuck: try again later"
      : "  the Worker may still carry it out: keystone get (or history) shows what was stored before you try again",
  ]);
}

/** Why a request was redirected, and what to do about it. */
function redirected(method: string, url: string, response: Response): CliError {
  const location = response.headers.get("location") ?? "";
  const host = URL.canParse(location) ? new URL(location).hostname : "";
  if (host.endsWith(".cloudflareaccess.com"))
    return new CliError(
      EXIT.auth,
      `Cloudflare Access stopped ${method} ${url}: it sent the request to its sign-in page`,
      [
        "  set KEYSTONE_ACCESS_CLIENT_ID and KEYSTONE_ACCESS_CLIENT_SECRET to a service token that the",
        "  Access application's policy admits (docs/deploy.md, the admin API on its own hostname)",
      ],
    );
  return new CliError(
    EXIT.error,
    `${method} ${url} answered ${response.status}, a redirect to ${location || "nowhere"}`,
    ["  --url / KEYSTONE_URL should be the admin hostname itself, with https://"],
  );
}
