// Route entries read from KV, compiled one service at a time: an entry that fails the decoder or
// does not compile is set aside with its problem, logged once per problem, and the service keeps
// its last good form. Shared by both document shapes (the whole document and a key per service).
import type { RouteEntry } from "../../schemas/routes-doc.ts";
import { compileService } from "../core/compile.ts";
import type { BucketKey } from "../core/hash.ts";
import type { CompiledService } from "../core/route-table.ts";
import type { RejectedEntry } from "./route-entries.ts";

export class ServiceCompiler {
  readonly #bucketKey: BucketKey | undefined;
  readonly #log: ((message: string) => void) | undefined;
  /** Entry problems already logged, by service: each is logged once, not at every load. */
  readonly #rejected = new Map<string, string>();
  /** Entries skipped, over every load. */
  rejectedEntries = 0;

  constructor(bucketKey: BucketKey | undefined, log: ((message: string) => void) | undefined) {
    this.#bucketKey = bucketKey;
    this.#log = log;
  }

  /** Services whose latest entry was skipped. */
  get rejectedServices(): string[] {
    return [...this.#rejected.keys()];
  }

  /** A decoded entry compiled; undefined when it does not compile (then set aside as rejected). */
  compile(
    entry: RouteEntry,
    kept: CompiledService | undefined,
    generation: number,
  ): CompiledService | undefined {
    try {
      const compiled = compileService(entry.config, entry.sequence, entry.live, this.#bucketKey);
      this.#rejected.delete(entry.name);
      return compiled;
    } catch (error) {
      this.reject(
        { name: entry.name, problem: `does not compile: ${String(error)}` },
        kept,
        generation,
      );
      return undefined;
    }
  }

  /** An entry set aside: counted, and logged unless this problem was logged for it already. */
  reject(entry: RejectedEntry, kept: CompiledService | undefined, generation: number): void {
    this.rejectedEntries++;
    if (this.#rejected.get(entry.name) === entry.problem) return;
    this.#rejected.set(entry.name, entry.problem);
    const serving = kept
      ? `still serving its entry of sequence ${kept.sequence}`
      : "not served until a good entry arrives";
    this.#log?.(
      `keystone: route entry "${entry.name}" of generation ${generation} skipped: ${entry.problem}; ${serving}`,
    );
  }

  /** A service whose entry is gone (deleted, or absent from a whole document) has no problem. */
  forget(name: string): void {
    this.#rejected.delete(name);
  }
}
