// Where people reach the status page, for links in notifications: PUBLIC_ADMIN_URL when set,
// else https:// and the first named (not wildcard) host of ADMIN_HOSTS; null when neither says.
import { parseAdminHosts } from "../admin-hosts.ts";

/** The two vars of Env this reads (see worker/env.ts). */
export interface AdminUrlVars {
  PUBLIC_ADMIN_URL?: string | undefined;
  ADMIN_HOSTS?: string | undefined;
}

export function publicAdminUrl(env: AdminUrlVars): string | null {
  const given = env.PUBLIC_ADMIN_URL?.trim();
  if (given) return given.replace(/\/+$/, "");
  const hosts = parseAdminHosts(env.ADMIN_HOSTS);
  if (hosts.all) return null;
  const named = [...hosts.hosts].find((host) => !host.includes("*"));
  return named ? `https://${named}` : null;
}

/** The status page, and an incident's page on it, under the admin URL. */
export function statusPageLinks(
  base: string | null,
  service: string,
  incidentId?: string,
): { statusPage: string | null; incident: string | null } {
  if (!base) return { statusPage: null, incident: null };
  const statusPage = `${base}/_keystone/ui/#service-${encodeURIComponent(service)}`;
  const incident =
    incidentId === undefined
      ? null
      : `${base}/_keystone/ui/services/${encodeURIComponent(service)}/incidents/${incidentId}`;
  return { statusPage, incident };
}
