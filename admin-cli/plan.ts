// What `apply` and `diff` would change: each service of a file against its stored revision.
import { stringify } from "yaml";
import { ServiceRecord } from "../schemas/api-responses.ts";
import type { ConfigFile } from "../schemas/config-file.ts";
import type { Service } from "../schemas/service.ts";
import { configForReaders, inReadersForm } from "../worker/core/config-readers.ts";
import type { ApiClient } from "./client.ts";
import { type DiffLine, diffLines, hasChanges, withContext } from "./diff.ts";
import { EXIT, QuietExit } from "./errors.ts";
import type { Output } from "./io.ts";

export interface PlannedChange {
  name: string;
  current: ServiceRecord | null;
  next: Service;
  diff: DiffLine[];
  changed: boolean;
}

export async function planChanges(api: ApiClient, file: ConfigFile): Promise<PlannedChange[]> {
  return Promise.all(
    file.services.map(async (next) => {
      const current = await api.find(ServiceRecord, `/services/${encodeURIComponent(next.name)}`);
      // Read with the read token, secrets in URLs come back masked: compare the file masked too.
      const shown = current && inReadersForm(current.config) ? configForReaders(next) : next;
      const diff = diffLines(current ? stringify(current.config) : "", stringify(shown));
      return { name: next.name, current, next, diff, changed: hasChanges(diff) };
    }),
  );
}

export function printPlan(out: Output, plan: PlannedChange[]): void {
  for (const change of plan) {
    const where = change.current ? `revision ${change.current.revision}` : "new service";
    if (!change.changed) {
      out.line(`${out.paint("dim", "=")} ${change.name} (${where}): no changes`);
      continue;
    }
    out.line(out.paint("bold", `~ ${change.name} (${where})`));
    for (const line of withContext(change.diff)) {
      if (line === "gap") out.line(out.paint("dim", "  …"));
      else if (line.kind === "add") out.line(out.paint("green", `+ ${line.text}`));
      else if (line.kind === "remove") out.line(out.paint("red", `- ${line.text}`));
      else out.line(`  ${line.text}`);
    }
  }
}

export function planJson(plan: PlannedChange[]) {
  return plan.map((c) => ({
    name: c.name,
    revision: c.current?.revision ?? 0,
    changed: c.changed,
    diff: c.diff.filter((l) => l.kind !== "same"),
  }));
}

/** `--exit-code`: exit 6 when something would change (0 when nothing would), as `git diff` does. */
export const exitCodeArg = {
  "exit-code": {
    type: "boolean",
    description: "exit 6 when something would change, 0 when nothing would",
  },
} as const;

export function exitWhenPending(plan: PlannedChange[], asked: boolean | undefined): void {
  if (asked && plan.some((c) => c.changed)) throw new QuietExit(EXIT.changesPending);
}
