// Sends a request to the chosen version's origin: streamed both ways, redirects not followed,
// a per-version timeout up to the response headers. When the origin gives no answer, the client
// gets a plain 502/504 naming the service, the version and a request id; the origin URL and the
// raw error go to the log under that id only.
import type { Verdict } from "../core/decide.ts";
import type { CompiledVersion } from "../core/route-table.ts";
import { originHeaders } from "./headers.ts";
import type { RequestTarget } from "./request-target.ts";

export const REQUEST_ID_HEADER = "x-keystone-request-id";

export interface ProxyOutcome {
  response: Response;
  /** False when the origin gave no answer (refused, reset, timed out). */
  answered: boolean;
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

export async function forward(
  request: Request,
  target: RequestTarget,
  verdict: Verdict,
): Promise<ProxyOutcome> {
  const { version, service } = verdict;
  // A timer cleared when the headers arrive, not AbortSignal.timeout (≈2 µs cheaper in workerd):
  // that signal still fires later and cuts a body the isolate is reading (test/runtime/proxy.test.ts).
  const controller = new AbortController();
  const signal = controller.signal;
  const timer = setTimeout(() => controller.abort(), version.timeoutMs);
  try {
    const response = await fetch(originUrl(version, target), {
      method: request.method,
      headers: originHeaders(request.headers, target, verdict),
      body: request.body,
      redirect: "manual",
      signal,
    });
    return { response, answered: true };
  } catch (error) {
    const timedOut = signal.aborted;
    const what = `version "${version.name}" of service "${service.name}"`;
    const response = keystoneError(
      timedOut ? 504 : 502,
      timedOut
        ? `${what} did not answer within ${version.timeoutMs} ms`
        : `${what} could not be reached`,
      `origin ${version.origin}: ${timedOut ? "timed out" : errorMessage(error)}`,
    );
    return { response, answered: false };
  } finally {
    clearTimeout(timer);
  }
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
      "cache-control": "no-store",
      ...headers,
    },
  });
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
