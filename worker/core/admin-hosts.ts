// Which hostnames serve the admin surface (/_keystone/*: API, health, metrics, deploy webhook):
// those listed in ADMIN_HOSTS, comma-separated, or every host for "*" (local dev, the workers.dev
// first try). Unset, none: a production Worker exposes no admin endpoint until told where.

export type AdminHosts = { all: true } | { all: false; hosts: ReadonlySet<string> };

let parsedFrom: string | undefined;
let parsed: AdminHosts = { all: false, hosts: new Set() };

export function parseAdminHosts(value: string | undefined): AdminHosts {
  const names = (value ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
  if (names.includes("*")) return { all: true };
  return { all: false, hosts: new Set(names) };
}

/** Whether `hostname` (lowercase, no port) serves the admin surface; parsed once per value. */
export function servesAdmin(value: string | undefined, hostname: string): boolean {
  if (value !== parsedFrom) {
    parsed = parseAdminHosts(value);
    parsedFrom = value;
  }
  return parsed.all || parsed.hosts.has(hostname);
}
