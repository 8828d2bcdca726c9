// Where the API's answer outgrows what an agent's context holds, what the agent gets instead: a
// page of services as a summary each (getService has the whole config). Pure: an answer in, an
// answer out.
import type { EndpointName } from "../../../schemas/admin-endpoints.ts";
import type { ServiceList } from "../../../schemas/api-responses.ts";

export interface AgentAnswer {
  /** The API's answer as the agent gets it. */
  shape(value: unknown): unknown;
}

/** What an agent needs to choose a service: where it serves, what it serves, what it asks for. */
export function serviceSummaries(list: ServiceList) {
  return {
    services: list.services.map(({ name, revision, updatedAt, config, spec }) => ({
      name,
      revision,
      updatedAt,
      hosts: config.hosts,
      pathPrefix: config.pathPrefix,
      split: config.split,
      releases: Object.fromEntries(
        Object.entries(config.versions).map(([track, version]) => [track, version.release ?? null]),
      ),
      desiredRelease: spec.release?.name ?? null,
    })),
    nextCursor: list.nextCursor ?? null,
    warnings: list.warnings,
  };
}

export const AGENT_ANSWERS: Partial<Record<EndpointName, AgentAnswer>> = {
  listServices: { shape: (value) => serviceSummaries(value as ServiceList) },
};
