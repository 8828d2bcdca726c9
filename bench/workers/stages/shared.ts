// What the stage variants share: the bare forward they all start from, and the benchmark request's
// verdict, reached once per isolate with Keystone's own code, for stages that measure a later step.

import type { Service } from "../../../schemas/service.ts";
import { compileRouteTable } from "../../../worker/core/compile.ts";
import { decideRoute, type Verdict } from "../../../worker/core/decide.ts";
import { loadRegexEngine, needsRegexEngine } from "../../../worker/core/regex-engine.ts";
import { factsFromRequest } from "../../../worker/data-plane/request-facts.ts";

export interface StageEnv {
  ORIGIN: string;
  /** The route document as the control plane publishes it (already validated by the bench). */
  ROUTES_DOC: string;
}

/** The bare Worker's whole job (bench/workers/bare.js). */
export function bareForward(request: Request, env: StageEnv, url: URL): Promise<Response> {
  return fetch(env.ORIGIN + url.pathname + url.search, request);
}

let verdict: Verdict | undefined;

/**
 * The verdict for the benchmark's request (a returning visitor: no cookie to set); a promise only
 * the first time, while RE2 loads if a rule's pattern needs it, as the data plane's table load does.
 */
export function benchVerdict(
  request: Request,
  env: StageEnv,
  url: URL,
): Verdict | Promise<Verdict> {
  if (verdict) return verdict;
  const doc = JSON.parse(env.ROUTES_DOC) as { services: { config: Service }[] };
  return (needsRegexEngine(doc) ? loadRegexEngine() : Promise.resolve()).then(() => {
    const table = compileRouteTable(doc.services.map((entry) => entry.config));
    verdict = decideRoute(factsFromRequest(request, url), table, {
      now: Date.now(),
      overrideSecret: undefined,
      mintVisitorId: () => crypto.randomUUID(),
    });
    if (!verdict) throw new Error("stage: the benchmark's service does not serve this request");
    return verdict;
  });
}
