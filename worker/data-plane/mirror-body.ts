// The copy of a request body that a mirror sends: gathered in memory from the client's relay
// (never pulled by the mirrored origin, so a mirror that reads slowly or not at all cannot hold up
// the client's upload) and sent whole once the client has finished it. Bounded: a body longer
// than MAX_MIRRORED_BODY_BYTES is dropped from the copy, and the copy with it.
import type { BodyCopySink } from "./client-body.ts";

/**
 * Largest request body copied to a mirror. At most 20 copies are in flight per isolate
 * (MirrorGuard), so copies hold at most 20 MiB of an isolate's memory.
 */
export const MAX_MIRRORED_BODY_BYTES = 1_048_576;

export class BodyCopy implements BodyCopySink {
  /** The whole body once the client finished it; null when the copy was dropped. */
  readonly whole: Promise<Uint8Array | null>;
  readonly #max: number;
  #chunks: Uint8Array[] | undefined = [];
  #size = 0;
  #settle!: (body: Uint8Array | null) => void;

  constructor(max = MAX_MIRRORED_BODY_BYTES) {
    this.#max = max;
    this.whole = new Promise((resolve) => {
      this.#settle = resolve;
    });
  }

  push(chunk: Uint8Array): void {
    if (!this.#chunks) return;
    this.#size += chunk.byteLength;
    if (this.#size > this.#max) {
      this.fail();
      return;
    }
    // A copy of the bytes: the same chunk is handed on to the origin's stream.
    this.#chunks.push(chunk.slice());
  }

  end(): void {
    const chunks = this.#chunks;
    if (!chunks) return;
    this.#chunks = undefined;
    const body = new Uint8Array(this.#size);
    let offset = 0;
    for (const chunk of chunks) {
      body.set(chunk, offset);
      offset += chunk.byteLength;
    }
    this.#settle(body);
  }

  fail(): void {
    if (!this.#chunks) return;
    this.#chunks = undefined;
    this.#settle(null);
  }
}
