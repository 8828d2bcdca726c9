// Two-phase changes of one service object (apply, revert, delete may move hosts): prepare holds
// the validated change and blocks other writes; the registry decides the host claims; commit
// stores it, abort drops it. A change left prepared (its caller gone) is settled by asking the
// registry how it ended once it expires.
import * as z from "zod";
import type { ChangeResult } from "../../schemas/api-responses.ts";
import { ClaimingCommand } from "../../schemas/ledger.ts";
import type { ServiceStore } from "./service-store.ts";

/** How long a prepared change holds the service before it is settled without its caller. */
export const PREPARED_TTL_MS = 30_000;

const Pending = z.object({ txId: z.string(), command: ClaimingCommand, expiresAt: z.number() });
const Finished = z.object({
  txId: z.string(),
  result: z.object({ name: z.string(), revision: z.number(), changed: z.boolean() }),
});

export type Pending = z.infer<typeof Pending>;

export function pendingOf(store: ServiceStore): Pending | undefined {
  const text = store.getMeta("pendingTx");
  return text === undefined ? undefined : Pending.parse(JSON.parse(text));
}

export function setPending(store: ServiceStore, pending: Pending | null): void {
  store.setMeta("pendingTx", pending === null ? null : JSON.stringify(pending));
}

/** The last committed change, so a retried commit of it answers the same. */
export function finishedOf(store: ServiceStore, txId: string): ChangeResult | undefined {
  const text = store.getMeta("lastTx");
  const last = text === undefined ? undefined : Finished.parse(JSON.parse(text));
  return last?.txId === txId ? last.result : undefined;
}

export function setFinished(store: ServiceStore, txId: string, result: ChangeResult): void {
  store.setMeta("lastTx", JSON.stringify({ txId, result }));
}
