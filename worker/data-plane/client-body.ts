// The client's request body on its way to the origin, relayed chunk by chunk so the proxy knows
// whose wait it is: while a read from the client is pending, the client is late; while a chunk is
// being handed to the origin, the origin is. A client that stops sending (or hangs up) is its own
// fault, never the version's: the version's clock starts again each time the client's bytes come.
// A mirror copy, when the request is sampled, gets each chunk too without ever slowing the relay.

/**
 * Why the client, not the origin, left a request unanswerable: it stopped sending its body, hung
 * up, or sent a body with a GET or HEAD (which fetch refuses to send on, before any origin is asked).
 */
export type ClientFault = "stalled" | "abandoned" | "body-not-allowed";

/** Where a mirrored copy of the body goes: offered each chunk, never awaited. */
export interface BodyCopySink {
  push(chunk: Uint8Array): void;
  end(): void;
  /** The client's body failed: the copy is dropped. */
  fail(): void;
}

/**
 * Bytes asked of the client per read. A runtime body is read into buffers this large (network
 * reads come as they come, an in-memory body in 4 KiB pieces): fewer, larger hand-overs.
 */
const READ_BYTES = 65_536;

export class ClientBody {
  /** What the origin's fetch reads: the client's bytes, with the client's Content-Length kept. */
  readonly stream: ReadableStream<Uint8Array>;
  /** When the client's last chunk (or its end) arrived; the relay's start before any. */
  lastArrival: number;
  /** Since when a read from the client is pending (undefined while none is). */
  waitingSince: number | undefined;
  /** Set when the client stalled or hung up: the request is then not the version's to answer for. */
  fault: ClientFault | undefined;
  #copy: BodyCopySink | undefined;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader;
  readonly #byob: boolean;
  readonly #now: () => number;

  constructor(body: ReadableStream<Uint8Array>, contentLength: string | null, now: () => number) {
    this.#now = now;
    this.lastArrival = now();
    // The runtime's own bodies are byte streams; a stream built in JavaScript may not be.
    try {
      this.#reader = body.getReader({ mode: "byob" });
      this.#byob = true;
    } catch {
      this.#reader = body.getReader();
      this.#byob = false;
    }
    const length = contentLength === null ? Number.NaN : Number(contentLength);
    // Identity streams hand a chunk over only when the origin side reads it: a pending write is
    // the origin's wait. A known length keeps Content-Length on the way out (else: chunked).
    const pipe =
      Number.isSafeInteger(length) && length >= 0
        ? new FixedLengthStream(length)
        : new IdentityTransformStream();
    this.stream = pipe.readable;
    void this.#relay(pipe.writable.getWriter());
  }

  /** The body cannot be sent on (a GET or HEAD carrying one): stop reading the client. */
  refuse(): void {
    if (this.fault) return;
    this.fault = "body-not-allowed";
    this.#reader.cancel("a GET or HEAD request cannot carry a body").catch(() => {});
  }

  /** Offers every chunk from now on to a mirrored copy. */
  copyTo(sink: BodyCopySink): void {
    this.#copy = sink;
  }

  /** The client sent nothing for too long: stop waiting for it. */
  stall(): void {
    if (this.fault) return;
    this.fault = "stalled";
    this.#reader.cancel("the client stopped sending its body").catch(() => {});
  }

  async #relay(writer: WritableStreamDefaultWriter<Uint8Array>): Promise<void> {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      this.waitingSince = this.#now();
      try {
        chunk = this.#byob
          ? await (this.#reader as ReadableStreamBYOBReader).read(new Uint8Array(READ_BYTES))
          : await (this.#reader as ReadableStreamDefaultReader<Uint8Array>).read();
      } catch (error) {
        this.waitingSince = undefined;
        this.fault ??= "abandoned";
        this.#copy?.fail();
        await writer.abort(error).catch(() => {});
        return;
      }
      this.waitingSince = undefined;
      this.lastArrival = this.#now();
      if (this.fault) {
        // Given up on (stall): the origin must not take what came as a whole body.
        this.#copy?.fail();
        await writer.abort(new Error("the client stopped sending its body")).catch(() => {});
        return;
      }
      if (chunk.done) {
        this.#copy?.end();
        // A FixedLengthStream refuses to close short: the client ended before its Content-Length.
        await writer.close().catch(() => {
          this.fault ??= "abandoned";
        });
        return;
      }
      this.#copy?.push(chunk.value);
      try {
        await writer.write(chunk.value);
      } catch {
        // The origin's side is gone (it answered, failed or was aborted): stop reading the client.
        this.#copy?.fail();
        await this.#reader.cancel().catch(() => {});
        return;
      }
    }
  }
}
