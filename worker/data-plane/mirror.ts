// Shadow traffic in the data plane. For a sampled request (and only then) a copy goes to the
// mirrored version while the client's request is forwarded as usual; the client's response is
// returned at once, its body tee'd so the comparison reads its own bounded copy in waitUntil.
// A request body is copied from the client's relay into memory (at most 1 MiB, mirror-body.ts)
// and sent once whole: the mirrored origin never pulls on the client's upload.
// A mirror is never awaited by the response path, never returned, and never retried; the guard
// caps mirrors per isolate and stops them while the mirrored origin fails.
import type { HaltedCheck, Verdict } from "../core/decide.ts";
import { type CapturedResponse, compareResponses } from "../core/mirror/compare.ts";
import { type CompiledMirror, wantsMirror } from "../core/mirror/compile-mirror.ts";
import type { MirrorGuard } from "../core/mirror/mirror-guard.ts";
import { MirrorRecorder } from "../core/mirror/mirror-recorder.ts";
import type { ClientBody } from "./client-body.ts";
import { originHeaders } from "./headers.ts";
import { BodyCopy, MAX_MIRRORED_BODY_BYTES } from "./mirror-body.ts";
import { originUrl } from "./proxy.ts";
import type { RequestTarget } from "./request-target.ts";

/** Tells the origin a request is a copy: its answer is never served (it may skip side effects). */
const MIRROR_HEADER = "x-keystone-mirror";

export interface MirrorFlight {
  service: string;
  mirror: CompiledMirror;
  key: string;
  at: number;
  method: string;
  pathname: string;
  primaryVersion: string;
  /**
   * The mirrored origin's response, null when it gave none in time, "dropped" when the copy was
   * never sent (its body grew past the bound, or the client did not finish it). Never rejects.
   */
  response: Promise<Response | null | "dropped">;
  /** The request body being gathered for the copy, when the copy has one. */
  bodyCopy: BodyCopy | undefined;
}

/**
 * Reads at most `max` bytes of a body, then cancels the rest (so a tee stops buffering for it).
 * Throws when `cut` aborts first: the reading is cancelled, and what was read compares nothing.
 */
async function capture(
  status: number,
  headers: Headers,
  body: ReadableStream<Uint8Array> | null,
  max: number,
  cut?: AbortSignal,
): Promise<CapturedResponse> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let truncated = false;
  if (body) {
    const reader = body.getReader();
    // A pending read resolves as done once the reader is cancelled.
    cut?.addEventListener("abort", () => void reader.cancel().catch(() => {}), { once: true });
    for (;;) {
      const { done, value } = await reader.read();
      if (cut?.aborted) throw new Error("the body was not read in time");
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
      if (total > max) {
        truncated = true;
        await reader.cancel();
        break;
      }
    }
  }
  const bytes = new Uint8Array(Math.min(total, max));
  let offset = 0;
  for (const chunk of chunks) {
    const room = bytes.length - offset;
    if (room <= 0) break;
    bytes.set(chunk.subarray(0, room), offset);
    offset += Math.min(room, chunk.byteLength);
  }
  return { status, header: (name) => headers.get(name), body: bytes, truncated };
}

async function send(url: string, init: RequestInit, timeoutMs: number): Promise<Response | null> {
  try {
    return await fetch(url, {
      ...init,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    return null;
  }
}

export class Mirroring {
  readonly recorder = new MirrorRecorder();
  readonly guard: MirrorGuard;
  /** Copies not made or dropped because the request body was past MAX_MIRRORED_BODY_BYTES. */
  droppedCopies = 0;
  readonly #now: () => number;
  readonly #draw: () => number;
  readonly #halted: HaltedCheck;

  constructor(
    guard: MirrorGuard,
    now: () => number,
    halted: HaltedCheck,
    draw: () => number = Math.random,
  ) {
    this.guard = guard;
    this.#now = now;
    this.#halted = halted;
    this.#draw = draw;
  }

  /**
   * Starts the copy of a sampled request (its body, if any, copied from the client's relay).
   * Undefined, after one property read, for services without a mirror, and for every request not
   * sampled, not allowed, over the guard's limits or with a body announced past the bound.
   */
  begin(
    request: Request,
    url: RequestTarget,
    verdict: Verdict,
    body: ClientBody | undefined,
  ): MirrorFlight | undefined {
    const mirror = verdict.service.mirror;
    if (mirror === undefined) return undefined;
    if (
      !wantsMirror(mirror, verdict.version.name, request.method, body !== undefined, this.#draw())
    )
      return undefined;
    // A WebSocket upgrade cannot be copied: the socket is the client's. A version halted by a
    // rollback gets no traffic at all from this isolate, copies included.
    if (request.headers.has("upgrade")) return undefined;
    if (this.#halted.isHalted(verdict.service.name, mirror.version.name, verdict.service.sequence))
      return undefined;
    if (body && Number(request.headers.get("content-length")) > MAX_MIRRORED_BODY_BYTES) {
      this.droppedCopies++;
      return undefined;
    }
    const key = `${verdict.service.name}/${mirror.version.name}`;
    const at = this.#now();
    if (this.guard.admit(key, at) !== "go") return undefined;
    const headers = originHeaders(request.headers, url, { ...verdict, version: mirror.version });
    headers.set(MIRROR_HEADER, "1");
    const target = originUrl(mirror.version, url);
    const init = { method: request.method, headers };
    let response: MirrorFlight["response"];
    let copy: BodyCopy | undefined;
    if (body) {
      copy = new BodyCopy();
      body.copyTo(copy);
      response = copy.whole.then<Response | null | "dropped">((bytes) =>
        bytes === null ? "dropped" : send(target, { ...init, body: bytes }, mirror.timeoutMs),
      );
    } else response = send(target, init, mirror.timeoutMs);
    return {
      service: verdict.service.name,
      mirror,
      key,
      at,
      method: request.method,
      pathname: url.pathname,
      primaryVersion: verdict.version.name,
      response,
      bodyCopy: copy,
    };
  }

  /**
   * The response to send the client (the same status, headers and stream, its body tee'd), and
   * the comparison, settled once its outcome is held for the next flush (the caller keeps the
   * isolate alive for it and flushes).
   */
  finish(
    flight: MirrorFlight,
    primary: Response,
    answered: boolean,
  ): { served: Response; comparison: Promise<void> } {
    let served = primary;
    let copy: ReadableStream<Uint8Array> | null = null;
    if (answered && primary.body) {
      const [client, compared] = primary.body.tee();
      served = new Response(client, primary);
      copy = compared;
    }
    return { served, comparison: this.#compare(flight, primary, copy, answered) };
  }

  async #compare(
    flight: MirrorFlight,
    primary: Response,
    copy: ReadableStream<Uint8Array> | null,
    answered: boolean,
  ): Promise<void> {
    const max = flight.mirror.compare.maxBodyBytes;
    // The comparison holds one of the isolate's places for copies in flight (MirrorGuard) until it
    // settles: a primary answer that streams for hours (server-sent events, a long download), or an
    // upload the primary answered early and the client never finishes, held it for as long, and 20
    // of them stopped shadow traffic for every service of the isolate. Both are given the mirror's
    // own timeout from here (the copy's answer has it from when it is sent): an upload not gathered
    // by then drops the copy; a primary body not read by then is not compared.
    const cut = new AbortController();
    const deadline = setTimeout(() => {
      flight.bodyCopy?.fail();
      cut.abort();
    }, flight.mirror.timeoutMs);
    const [mine, theirs] = await Promise.all([
      answered
        ? capture(primary.status, primary.headers, copy, max, cut.signal).catch(() => null)
        : null,
      flight.response.then<CapturedResponse | null | "dropped">((r) =>
        r === null || r === "dropped"
          ? r
          : capture(r.status, r.headers, r.body, max).catch(() => null),
      ),
    ]);
    clearTimeout(deadline);
    if (theirs === "dropped") {
      // Not the mirrored origin's doing: its breaker is left as it was.
      this.droppedCopies++;
      this.guard.release();
      return;
    }
    this.guard.settle(flight.key, this.#now(), theirs === null || theirs.status >= 500);
    // Without the client's own answer there is nothing to compare the copy with.
    if (!mine) return;
    this.recorder.record({
      service: flight.service,
      version: flight.mirror.version.name,
      at: flight.at,
      method: flight.method,
      pathname: flight.pathname,
      primaryVersion: flight.primaryVersion,
      primaryStatus: mine.status,
      mirrorStatus: theirs?.status ?? null,
      differences: theirs ? compareResponses(flight.mirror.compare, mine, theirs) : [],
    });
  }
}
