// The entries of a route document, each checked on its own: one service that fails today's
// decoder (a hand edit, an entry needing what this data plane lacks) is set aside with its
// problem, and the others go on. Fields this release does not know are ignored (route-decoder.ts).
import type { RouteEntry, RoutesDocEnvelope } from "../../schemas/routes-doc.ts";
import { decodeRouteEntry, decodeService, summarizeProblems } from "./route-decoder.ts";

export interface RejectedEntry {
  /** The entry's name when it has one, else its place ("services[3]"). */
  name: string;
  problem: string;
}

export interface ReadEntries {
  accepted: RouteEntry[];
  rejected: RejectedEntry[];
}

/** Format 2 entries as they are; format 1 (an older registry) held bare services, sequence 0. */
export function readEntries(doc: RoutesDocEnvelope): ReadEntries {
  const accepted: RouteEntry[] = [];
  const rejected: RejectedEntry[] = [];
  doc.services.forEach((raw, i) => {
    const name = nameOf(raw) ?? `services[${i}]`;
    if (doc.format === 1) {
      const decoded = decodeService(raw);
      if (decoded.ok)
        accepted.push({ name: decoded.value.name, sequence: 0, config: decoded.value });
      else rejected.push({ name, problem: summarizeProblems(decoded.problems) });
      return;
    }
    const decoded = decodeRouteEntry(raw);
    if (!decoded.ok) rejected.push({ name, problem: summarizeProblems(decoded.problems) });
    else if (decoded.value.config.name !== decoded.value.name)
      rejected.push({ name, problem: `holds the config of "${decoded.value.config.name}"` });
    else accepted.push(decoded.value);
  });
  return { accepted, rejected };
}

function nameOf(raw: unknown): string | undefined {
  if (typeof raw !== "object" || raw === null || !("name" in raw)) return undefined;
  const name = (raw as { name: unknown }).name;
  return typeof name === "string" && name.length <= 100 ? name : undefined;
}
