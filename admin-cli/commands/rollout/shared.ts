// What the rollout subcommands share: the service argument and the status request.

import { RolloutStatus } from "../../../schemas/api-responses.ts";
import type { ApiClient } from "../../client.ts";

export const serviceArgs = {
  service: { type: "positional", required: true, description: "service name" },
} as const;

export function rolloutPath(service: string, action = ""): string {
  return `/services/${encodeURIComponent(service)}/rollout${action ? `/${action}` : ""}`;
}

export function fetchStatus(api: ApiClient, service: string): Promise<RolloutStatus> {
  return api.get(RolloutStatus, rolloutPath(service));
}
