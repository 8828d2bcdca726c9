// Sends a request to the chosen version's origin: streamed both ways, redirects not followed,
// a per-version timeout up to the response headers, and plain-text errors naming the version.
import type { Verdict } from "../core/decide.ts";
import { originHeaders } from "./headers.ts";

export interface ProxyOutcome {
  response: Response;
  /** False when the origin gave no answer (refused, reset, timed out). */
  answered: boolean;
}

export async function forward(request: Request, url: URL, verdict: Verdict): Promise<ProxyOutcome> {
  const { version, service } = verdict;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), version.timeoutMs);
  try {
    const response = await fetch(version.origin + url.pathname + url.search, {
      method: request.method,
      headers: originHeaders(request.headers, url, verdict),
      body: request.body,
      redirect: "manual",
      signal: controller.signal,
    });
    return { response, answered: true };
  } catch (error) {
    const who = `version "${version.name}" of service "${service.name}" (${version.origin})`;
    const response = controller.signal.aborted
      ? plainText(504, `keystone: ${who} did not answer within ${version.timeoutMs} ms\n`)
      : plainText(502, `keystone: ${who} could not be reached: ${errorMessage(error)}\n`);
    return { response, answered: false };
  } finally {
    clearTimeout(timer);
  }
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
