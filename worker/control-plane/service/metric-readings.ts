// Asks the providers of a rollout's own metrics, from the service object's tick only (never on
// the request path): each call bounded in time and in answer size, never following a redirect,
// retried with backoff while the tick's budget lasts. Secrets are read from the Worker's env by
// name at the call and sent only as headers; no failure message carries one.
import { shownUrl } from "../../../schemas/wire-values.ts";
import type { MetricReading } from "../../core/provider-metrics/metric-judge.ts";
import { type ProviderAnswer, readAnswer } from "../../core/provider-metrics/provider-answers.ts";
import type { ProviderCall } from "../../core/provider-metrics/provider-calls.ts";

/** One call's longest wait: a slow provider costs a tick this much, not the whole minute. */
const CALL_TIMEOUT_MS = 5_000;
/** All of a tick's calls, retries included, end within this (the cron ticks every minute). */
export const TICK_BUDGET_MS = 20_000;
/** A metric's answer is a few numbers: anything past this is not the answer asked for. */
const MAX_ANSWER_BYTES = 1_048_576;
const BACKOFF_MS = [250, 1_000];
/**
 * A failure's words kept: a provider's refusal may run to the whole answer (a query or a stack
 * trace quoted back, up to MAX_ANSWER_BYTES), and each verdict keeps the words three times (its
 * reason, the check's problem and sentence), in history and the verdict log too.
 */
const MAX_FAILURE_CHARS = 500;
/** What fetch strips from either end of a header value (HTTP whitespace: tab, LF, CR, space). */
const HTTP_WHITESPACE_AROUND = /^[\t\n\r ]+|[\t\n\r ]+$/g;

type Attempt = ProviderAnswer | { retry: string };

/** The body's text, or undefined once it passes `limit` bytes (the rest is not read). */
async function boundedText(response: Response, limit: number): Promise<string | undefined> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const whole = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    whole.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(whole);
}

/** The Worker secrets a call sends, for a message: "the Worker secret X" or "… secrets X and Y". */
function credentialsOf(call: ProviderCall): string {
  const names = call.secretHeaders.map(({ secret }) => secret);
  if (names.length === 0) return "no Worker secret (the call sends none)";
  return names.length === 1
    ? `the Worker secret ${names[0]}`
    : `the Worker secrets ${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

export class MetricReader {
  readonly #env: object;
  readonly #deadline: number;

  /** `env` holds the Worker's secrets; the calls end by `deadline` (epoch ms). */
  constructor(env: object, deadline: number) {
    this.#env = env;
    this.#deadline = deadline;
  }

  /** Every call's answer, in parallel, each with its query as sent. */
  read(calls: ProviderCall[]): Promise<MetricReading[]> {
    return Promise.all(
      calls.map(async (call) => ({
        metric: call.metric,
        version: call.version,
        query: call.query,
        answer: await this.#answer(call),
      })),
    );
  }

  #headers(call: ProviderCall): Record<string, string> | { missing: string } {
    const headers: Record<string, string> = { accept: "application/json" };
    for (const { header, secret, prefix } of call.secretHeaders) {
      const stored = (this.#env as Record<string, unknown>)[secret];
      // fetch strips a header value's surrounding whitespace (a secret saved with a trailing
      // newline): strip it here, so what is sent, and quoted back, is what a message masks.
      const value = typeof stored === "string" ? stored.replace(HTTP_WHITESPACE_AROUND, "") : "";
      if (value === "") return { missing: secret };
      headers[header] = `${prefix}${value}`;
    }
    return headers;
  }

  async #answer(call: ProviderCall): Promise<ProviderAnswer> {
    const headers = this.#headers(call);
    if ("missing" in headers)
      return {
        failure: `the Worker secret ${headers.missing} is not set (wrangler secret put ${headers.missing})`,
      };
    let answer: ProviderAnswer;
    try {
      answer = await this.#tries(call, headers);
    } catch (error) {
      // Whatever a provider answers is its failure, never the tick's: an answer that breaks its
      // reading (an error nested 300,000 lists deep overflowed String()) thrown out of read()
      // skipped the tick whole, on every tick, as a stalled body did.
      const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      answer = { failure: `${shownUrl(call.url)}: its answer could not be read (${why})` };
    }
    if (!("failure" in answer)) return answer;
    // A provider may quote what it was sent (an "invalid key …", or the request it refused with
    // its URL): no secret leaves in a message, neither a Worker secret sent as a header nor a key
    // in the configured URL's query, which readers see as `?…` (a Prometheus behind a gateway
    // taking `?token=` quoted it whole in "bad request for /api/v1/query?token=…").
    const secrets = [
      ...call.secretHeaders.map(({ header, prefix }) => headers[header]!.slice(prefix.length)),
      // Longest first: a value that holds another is masked whole.
      ...[...call.queryValues].sort((a, b) => b.length - a.length),
    ];
    // Masked before it is cut, so a cut never leaves part of a secret unmasked.
    const masked = secrets.reduce((text, secret) => text.split(secret).join("•••"), answer.failure);
    return {
      failure:
        masked.length > MAX_FAILURE_CHARS ? `${masked.slice(0, MAX_FAILURE_CHARS)}…` : masked,
    };
  }

  async #tries(call: ProviderCall, headers: Record<string, string>): Promise<ProviderAnswer> {
    let last = "";
    for (let attempt = 0; ; attempt++) {
      const result = await this.#attempt(call, headers);
      if (!("retry" in result)) return result;
      last = result.retry;
      const wait = BACKOFF_MS[attempt];
      if (wait === undefined || Date.now() + wait >= this.#deadline)
        return { failure: `${last} (${attempt + 1} tries)` };
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  async #attempt(call: ProviderCall, headers: Record<string, string>): Promise<Attempt> {
    const left = this.#deadline - Date.now();
    if (left <= 0) return { failure: "the tick's time for provider calls ran out" };
    const where = shownUrl(call.url);
    let response: Response;
    try {
      response = await fetch(call.url, {
        headers,
        redirect: "manual",
        signal: AbortSignal.timeout(Math.min(CALL_TIMEOUT_MS, left)),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === "TimeoutError";
      // The runtime's message may quote the URL: show it as readers see URLs, query left out.
      const message = timedOut
        ? `no answer within ${(Math.min(CALL_TIMEOUT_MS, left) / 1000).toFixed(1)}s`
        : (error instanceof Error ? error.message : String(error)).split(call.url).join(where);
      return { retry: `${where}: ${message}` };
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      return {
        failure: `${where} answered a redirect (HTTP ${response.status}), which is not followed: give the provider's own address`,
      };
    }
    // The timeout's signal also ends a body that stalls after its headers, and a connection
    // reset mid-body errors the read: both are this provider's failed attempt, like no answer.
    // Thrown out of here instead, they failed the whole tick (no verdict, no inconclusive count,
    // no progress deadline) for as long as the provider kept doing it.
    let text: string | undefined;
    try {
      text = await boundedText(response, MAX_ANSWER_BYTES);
    } catch (error) {
      const timedOut = error instanceof Error && error.name === "TimeoutError";
      const message = timedOut
        ? `no whole answer within ${(Math.min(CALL_TIMEOUT_MS, left) / 1000).toFixed(1)}s`
        : `the answer was cut off: ${(error instanceof Error ? error.message : String(error)).split(call.url).join(where)}`;
      return { retry: `${where}: ${message}` };
    }
    if (text === undefined)
      return { failure: `${where} answered more than ${MAX_ANSWER_BYTES / 1_048_576} MiB` };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (response.status === 401 || response.status === 403)
      // A provider refusing credentials may quote them in any form (a prefix, upper-cased,
      // base64), which no masking of the exact value catches: its words are not kept.
      return {
        failure: `${where} answered HTTP ${response.status}: the provider refused the credentials from ${credentialsOf(call)} (its answer is not shown: it may quote them)`,
      };
    if (!response.ok) {
      // A refused query says why in its JSON (Prometheus, Datadog): keep that, not just the status.
      const said = body === undefined ? undefined : readAnswer(call.provider, body, call.path);
      const why = said && "failure" in said ? `: ${said.failure}` : "";
      const failure = `${where} answered HTTP ${response.status}${why}`;
      return response.status >= 500 || response.status === 429 ? { retry: failure } : { failure };
    }
    if (body === undefined) return { failure: `${where} answered something other than JSON` };
    return readAnswer(call.provider, body, call.path);
  }
}
