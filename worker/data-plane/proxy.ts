// Sends a request to the chosen version's origin: streamed both ways, redirects not followed,
// a per-version timeout on the origin's own time up to the response headers. When the origin
// gives no answer, the client gets a plain 502/504 naming the service, the version and a request
// id; the origin URL and the raw error go to the log under that id only.
import type { Verdict } from "../core/decide.ts";
import type { CompiledVersion } from "../core/route-table.ts";
import type { ClientBody, ClientFault } from "./client-body.ts";
import { originHeaders } from "./headers.ts";
import type { RequestTarget } from "./request-target.ts";

const REQUEST_ID_HEADER = "x-keystone-request-id";

export interface ProxyOutcome {
  response: Response;
  /** False when the origin gave no answer (refused, reset, timed out). */
  answered: boolean;
  /**
   * The origin's own time: from when it had everything the client had sent (the whole request,
   * or the client's latest chunk when it answered before the end) to its response headers.
   */
  latencyMs: number;
  /** Set when the client left its request unfinished: then nothing here is the version's doing. */
  clientFault: ClientFault | undefined;
}

/**
 * The origin URL for a request: the origin's scheme, host and base path (fixed when the config is
 * compiled), then the path and query as the client sent them. The request's path always starts
 * with "/" after the origin's authority, so no path (`//evil.example`, `@host`) can change the host
 * it goes to; fetch parses the string once, natively, instead of a URL object built per request.
 */
export function originUrl(version: CompiledVersion, target: RequestTarget): string {
  return version.originPrefix + target.pathname + target.search;
}

/**
 * Sends the request to the version's origin. The version's timeout counts the origin's time only:
 * it starts when the request is sent and starts again whenever the client's next bytes arrive, so
 * a client that dribbles or withholds its body cannot stretch it; a client that sends nothing for
 * the same timeout is given up on (408) as its own fault. An origin that does not take a body the
 * client did send runs out its timeout as usual (504, the version's).
 */
export async function forward(
  request: Request,
  target: RequestTarget,
  verdict: Verdict,
  now: () => number,
  body: ClientBody | undefined,
): Promise<ProxyOutcome> {
  const { version, service } = verdict;
  // fetch refuses a GET or HEAD with a body before any origin is asked: that is the client's
  // request, not the version failing, so it must not be told (and counted) as a 502.
  if (body !== undefined && (request.method === "GET" || request.method === "HEAD")) {
    body.refuse();
    const response = clientFaultResponse("body-not-allowed", verdict, request.method);
    return { response, answered: false, latencyMs: 0, clientFault: "body-not-allowed" };
  }
  // A timer cleared when the headers arrive, not AbortSignal.timeout (≈2 µs cheaper in workerd):
  // that signal still fires later and cuts a body the isolate is reading (test/runtime/proxy.test.ts).
  const controller = new AbortController();
  const signal = controller.signal;
  const started = now();
  const timeoutMs = version.timeoutMs;
  let timer: ReturnType<typeof setTimeout>;
  if (body === undefined) timer = setTimeout(() => controller.abort(), timeoutMs);
  else {
    // Re-armed lazily: the body's progress only updates timestamps, this decides when it fires.
    const check = () => {
      const at = now();
      const waiting = body.waitingSince;
      const due = (waiting ?? Math.max(started, body.lastArrival)) + timeoutMs;
      if (at < due) timer = setTimeout(check, due - at);
      else {
        if (waiting !== undefined) body.stall();
        controller.abort();
      }
    };
    timer = setTimeout(check, timeoutMs);
  }
  try {
    const response = await fetch(originUrl(version, target), {
      method: request.method,
      headers: originHeaders(request.headers, target, verdict),
      body: body ? body.stream : request.body,
      redirect: "manual",
      signal,
    });
    const latencyMs = now() - (body ? Math.max(started, body.lastArrival) : started);
    // 101 without a socket: the origin switched protocols on a request that asked for none (or no
    // WebSocket came of it). Returned as is, that is no response the runtime can send the client
    // (an exception page instead of ours) while the version's outcome read as a success: it is the
    // version failing, a 502 like any answer that cannot be relayed.
    if (response.status === 101 && !response.webSocket) {
      const what = `version "${version.name}" of service "${service.name}"`;
      const failed = keystoneError(
        502,
        `${what} answered 101 Switching Protocols without a WebSocket`,
        `origin ${version.origin}: 101 to ${request.method} with upgrade "${request.headers.get("upgrade") ?? ""}"`,
      );
      return { response: failed, answered: false, latencyMs, clientFault: body?.fault };
    }
    return { response, answered: true, latencyMs, clientFault: body?.fault };
  } catch (error) {
    const latencyMs = now() - started;
    const clientFault = body?.fault;
    if (clientFault) {
      const response = clientFaultResponse(clientFault, verdict, errorMessage(error));
      return { response, answered: false, latencyMs, clientFault };
    }
    const timedOut = signal.aborted;
    const what = `version "${version.name}" of service "${service.name}"`;
    const response = keystoneError(
      timedOut ? 504 : 502,
      timedOut ? `${what} did not answer within ${timeoutMs} ms` : `${what} could not be reached`,
      `origin ${version.origin}: ${timedOut ? "timed out" : errorMessage(error)}`,
    );
    return { response, answered: false, latencyMs, clientFault: undefined };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * 408 when the client stopped sending its body, 400 when it hung up (it will not read either) or
 * sent a body with a GET or HEAD.
 */
function clientFaultResponse(fault: ClientFault, verdict: Verdict, detail: string): Response {
  const { version, service } = verdict;
  if (fault === "body-not-allowed")
    return keystoneError(
      400,
      "a GET or HEAD request cannot carry a body",
      `client sent a body with ${detail} to "${service.name}"/"${version.name}"`,
    );
  return fault === "stalled"
    ? keystoneError(
        408,
        `the request body stopped arriving for ${version.timeoutMs} ms`,
        `client stalled its upload to "${service.name}"/"${version.name}": ${detail}`,
      )
    : keystoneError(
        400,
        "the request body was not finished",
        `client abandoned its upload to "${service.name}"/"${version.name}": ${detail}`,
      );
}

/**
 * A Keystone-made error: `publicText` and a fresh request id to the client (body and
 * x-keystone-request-id), `detail` with the same id to the log.
 */
export function keystoneError(status: number, publicText: string, detail: string): Response {
  const requestId = crypto.randomUUID();
  console.error(`keystone: ${status} ${publicText} [request ${requestId}]: ${detail}`);
  return plainText(status, `keystone: ${publicText} (request id ${requestId})\n`, {
    [REQUEST_ID_HEADER]: requestId,
  });
}

export function plainText(status: number, body: string, headers: HeadersInit = {}): Response {
  return new Response(body, {
    status,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      // The text quotes the client's host and path: never read as anything but text.
      "x-content-type-options": "nosniff",
      "cache-control": "no-store",
      ...headers,
    },
  });
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
