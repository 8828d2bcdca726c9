// Applies changes that may move hosts (apply, revert, delete; one service or a whole file) in two
// phases: every service validates and holds its change, the registry checks and takes the host
// claims of all of them in one transaction, then every service stores its change. A refusal at
// any point drops all of them: a host move or swap lands entirely or not at all.
import * as z from "zod";
import {
  type ChangeResult,
  ChangeResult as ChangeResultSchema,
} from "../../schemas/api-responses.ts";
import { type ClaimingCommand, Prepared } from "../../schemas/ledger.ts";
import { registryOf, serviceObjectOf } from "../contracts.ts";
import type { Env } from "../env.ts";
import { allBounded, settleBounded } from "./bounded.ts";
import { ApiError, unwrap } from "./errors.ts";

export interface ClaimingChange {
  name: string;
  command: ClaimingCommand;
}

const COMMIT_ATTEMPTS = 3;

export async function applyClaimingChanges(
  env: Env,
  changes: ClaimingChange[],
): Promise<ChangeResult[]> {
  const txId = crypto.randomUUID();
  const prepared = await settleBounded(changes, async ({ name, command }) =>
    unwrap(Prepared, await serviceObjectOf(env, name).prepare(txId, command), `service "${name}"`),
  );
  const held = prepared.flatMap((p, i) =>
    p.status === "fulfilled" && p.value.changed ? [changes[i]!.name] : [],
  );
  const abortAll = () => settleBounded(held, (name) => serviceObjectOf(env, name).abort(txId));
  const refused = prepared.find((p): p is PromiseRejectedResult => p.status === "rejected");
  if (refused) {
    await abortAll();
    throw refused.reason;
  }
  const ready = prepared.map((p) => (p as PromiseFulfilledResult<Prepared>).value);
  const publications = ready.flatMap((p) => (p.changed && p.publication ? [p.publication] : []));
  if (publications.length > 0) {
    try {
      unwrap(z.null(), await registryOf(env).commitClaims(txId, publications), "the registry");
    } catch (error) {
      await abortAll();
      throw error;
    }
  }
  return allBounded(ready, async (p) =>
    p.changed
      ? commitWithRetry(env, p.service, txId)
      : {
          name: p.service,
          revision: p.revision,
          changed: false,
          ...(p.plan ? { plan: p.plan } : {}),
        },
  );
}

/** The claims are taken: the commit must land (the service settles it by itself if we give up). */
async function commitWithRetry(env: Env, name: string, txId: string): Promise<ChangeResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return unwrap(
        ChangeResultSchema,
        await serviceObjectOf(env, name).commit(txId),
        `service "${name}"`,
      );
    } catch (error) {
      if (error instanceof ApiError || attempt >= COMMIT_ATTEMPTS) throw error;
    }
  }
}
