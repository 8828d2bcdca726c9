// Where the API's answer outgrows what an agent's context holds, what the agent gets instead: a
// page of services as a summary each (getService has the whole config), and a rollout's verdicts
// with each judgement cut to its sentences unless asked whole. Pure: an answer in, an answer out.
import * as z from "zod";
import type { EndpointName } from "../../../schemas/admin-endpoints.ts";
import type { ServiceList } from "../../../schemas/api-responses.ts";
import type { RolloutVerdicts } from "../../../schemas/verdict-log.ts";

export interface AgentAnswer {
  /** Arguments of the tool's own: read here, never sent to the API. */
  options: z.ZodRawShape;
  /** Why the arguments ask for more than an answer should hold; undefined when they do not. */
  refuse?(args: Record<string, unknown>): string | undefined;
  /** The API's answer as the agent gets it. */
  shape(value: unknown, options: Record<string, unknown>): unknown;
}

/** Verdicts with their judgements whole an agent may ask for at once: each is about 5 KB. */
export const MAX_WHOLE_VERDICTS = 10;

/** What an agent needs to choose a service: where it serves, what it serves, what it asks for. */
export function serviceSummaries(list: ServiceList) {
  return {
    services: list.services.map(({ name, revision, updatedAt, config, spec, split }) => ({
      name,
      revision,
      updatedAt,
      hosts: config.hosts,
      pathPrefix: config.pathPrefix,
      split: split ?? config.split,
      releases: Object.fromEntries(
        Object.entries(config.versions).map(([track, version]) => [track, version.release ?? null]),
      ),
      desiredRelease: spec.release?.name ?? null,
    })),
    nextCursor: list.nextCursor ?? null,
    warnings: list.warnings,
  };
}

/**
 * Each verdict as a rollout's watcher reads it: outcome, reason, where the rollout stood, both
 * versions' figures and every check's sentence. The judgement whole (each check's inputs, the
 * statistics) is most of a verdict's size and is for explaining one verdict, not for watching.
 */
export function verdictSummaries(answer: RolloutVerdicts) {
  return {
    ...answer,
    verdicts: answer.verdicts.map(
      ({ verdict: { judgement, thresholdChecks: _checks, ...verdict }, ...entry }) => ({
        ...entry,
        verdict: { ...verdict, checks: judgement?.summary ?? null },
      }),
    ),
  };
}

const JUDGEMENTS = "judgements";

export const AGENT_ANSWERS: Partial<Record<EndpointName, AgentAnswer>> = {
  listServices: {
    options: {},
    shape: (value) => serviceSummaries(value as ServiceList),
  },
  rolloutVerdicts: {
    options: {
      [JUDGEMENTS]: z
        .boolean()
        .optional()
        .describe(
          `true: each verdict with its judgement whole (every check's inputs, the statistics; about 5 KB a verdict), at most ${MAX_WHOLE_VERDICTS} verdicts; left out: each check's sentence`,
        ),
    },
    refuse: (args) =>
      args[JUDGEMENTS] === true && Number(args.last ?? 0) > MAX_WHOLE_VERDICTS
        ? `last: at most ${MAX_WHOLE_VERDICTS} verdicts with their judgements whole (about 5 KB each); ask fewer, or leave judgements out for each check's sentence`
        : undefined,
    shape: (value, options) =>
      options[JUDGEMENTS] === true ? value : verdictSummaries(value as RolloutVerdicts),
  },
};
