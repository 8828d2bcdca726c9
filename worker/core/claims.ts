// Host claims: a host with a path prefix is served by one service. Which claims of a set of
// changing services another service already holds (or another of the set claims too).
export interface ClaimHolder {
  service: string;
  hosts: readonly string[];
  pathPrefix: string;
}

export interface ClaimConflict {
  service: string;
  /** Index of the host in the claiming service's hosts. */
  index: number;
  host: string;
  pathPrefix: string;
  owner: string;
}

const keyOf = (host: string, pathPrefix: string) => `${host}\u0000${pathPrefix}`;

/**
 * `incoming` replaces whatever its services held before: a claim a service gives up in the same
 * set is free for another service of the set (moves and swaps land together).
 */
export function claimConflicts(
  existing: readonly ClaimHolder[],
  incoming: readonly ClaimHolder[],
): ClaimConflict[] {
  const changing = new Set(incoming.map((c) => c.service));
  const owners = new Map<string, string>();
  for (const holder of existing) {
    if (changing.has(holder.service)) continue;
    for (const host of holder.hosts) owners.set(keyOf(host, holder.pathPrefix), holder.service);
  }
  const conflicts: ClaimConflict[] = [];
  for (const claim of incoming) {
    claim.hosts.forEach((host, index) => {
      const key = keyOf(host, claim.pathPrefix);
      const owner = owners.get(key);
      if (owner !== undefined && owner !== claim.service)
        conflicts.push({
          service: claim.service,
          index,
          host,
          pathPrefix: claim.pathPrefix,
          owner,
        });
      else owners.set(key, claim.service);
    });
  }
  return conflicts;
}
