// What the release subcommands share: the release argument and the status request.
import { ReleaseStatus } from "../../../schemas/api-responses.ts";
import type { ApiClient } from "../../client.ts";

export const releaseArgs = {
  release: { type: "positional", required: true, description: "release name" },
} as const;

export function releasePath(release: string, action = ""): string {
  return `/releases/${encodeURIComponent(release)}${action ? `/${action}` : ""}`;
}

export function fetchRelease(api: ApiClient, release: string): Promise<ReleaseStatus> {
  return api.get(ReleaseStatus, releasePath(release));
}
