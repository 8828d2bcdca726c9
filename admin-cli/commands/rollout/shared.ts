// What the rollout subcommands share: the service argument and the status request.
import type { ApiClient } from "../../client.ts";
import type { RolloutStatusView } from "../../rollout-view.ts";

export const serviceArgs = {
  service: { type: "positional", required: true, description: "service name" },
} as const;

export function rolloutPath(service: string, action = ""): string {
  return `/services/${encodeURIComponent(service)}/rollout${action ? `/${action}` : ""}`;
}

export function fetchStatus(api: ApiClient, service: string): Promise<RolloutStatusView> {
  return api.get<RolloutStatusView>(rolloutPath(service));
}
