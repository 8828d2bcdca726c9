// The entries of a route document, each checked on its own: one service that fails today's schema
// (a partial upgrade, a hand edit) is set aside with its problem, and the others go on.
import type * as z from "zod";
import { formatProblems, problemsOf } from "../../schemas/problems.ts";
import { RouteEntry, type RoutesDocEnvelope } from "../../schemas/routes-doc.ts";
import { Service } from "../../schemas/service.ts";

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
      const parsed = Service.safeParse(raw);
      if (parsed.success)
        accepted.push({ name: parsed.data.name, sequence: 0, config: parsed.data });
      else rejected.push({ name, problem: summarize(parsed.error) });
      return;
    }
    const parsed = RouteEntry.safeParse(raw);
    if (!parsed.success) rejected.push({ name, problem: summarize(parsed.error) });
    else if (parsed.data.config.name !== parsed.data.name)
      rejected.push({ name, problem: `holds the config of "${parsed.data.config.name}"` });
    else accepted.push(parsed.data);
  });
  return { accepted, rejected };
}

function nameOf(raw: unknown): string | undefined {
  if (typeof raw !== "object" || raw === null || !("name" in raw)) return undefined;
  const name = (raw as { name: unknown }).name;
  return typeof name === "string" && name.length <= 100 ? name : undefined;
}

/** The first few problems on one line: enough for a log, never a wall of text. */
export function summarize(error: z.ZodError): string {
  const problems = problemsOf(error);
  const shown = formatProblems(problems.slice(0, 5)).split("\n").join("; ");
  return problems.length > 5 ? `${shown}; and ${problems.length - 5} more` : shown;
}
