// What `apply` and `diff` do with a file: the Worker's preview of each service (the ledger's own
// apply decision, not stored, so the diff cannot predict what the apply would not do), in words,
// beside a line diff of the file against the spec stored. One request for the whole file.
import { stringify } from "yaml";
import { MAX_BODY_BYTES } from "../schemas/api.ts";
import type { ApplyPlan } from "../schemas/apply-plan.ts";
import type { ConfigFile } from "../schemas/config-file.ts";
import type { Failure } from "../schemas/result.ts";
import type { ServiceSpec } from "../schemas/service-spec.ts";
import { configForReaders, inReadersForm } from "../worker/core/config-readers.ts";
import type { ApiClient } from "./client.ts";
import { type DiffLine, diffLines, withContext } from "./diff.ts";
import { CliError, EXIT, exitCodeForApi, QuietExit } from "./errors.ts";
import type { Output } from "./io.ts";

export interface PlannedChange {
  name: string;
  /** The service's revision now (0: a new service), and its spec as last applied. */
  revision: number;
  current: ServiceSpec | null;
  next: ServiceSpec;
  diff: DiffLine[];
  plan: ApplyPlan | null;
  refused: Failure | null;
  /** Whether apply would store a revision or move traffic. */
  changed: boolean;
}

/** How the apply converges, as the flags say. */
export interface Convergence {
  force?: boolean | undefined;
  instant?: boolean | undefined;
}

/** What moves something even without a new revision (a rollout start on a track as it is). */
const MOVES = new Set(["create", "rollout", "switch", "supersede", "release"]);

/** The apply request's body for a file; `POST /plan` takes the same. */
export function requestBody(
  file: ConfigFile,
  convergence: Convergence,
  who: { author?: string; reason?: string | undefined } = {},
  services = file.services.map((config) => ({ config })),
) {
  return { services, together: file.together, ...convergence, ...who };
}

const MIB = 1024 * 1024;

/** A body over the admin API's limit is refused here, before a diff is shown or anything sent. */
function checkBodySize(body: unknown, source: string): void {
  const bytes = Buffer.byteLength(JSON.stringify(body));
  if (bytes <= MAX_BODY_BYTES) return;
  const size = (n: number) => `${(n / MIB).toFixed(2)} MiB (${n.toLocaleString("en")} bytes)`;
  throw new CliError(
    EXIT.invalidConfig,
    `${source} makes a request of ${size(bytes)}, over the admin API's limit of ${size(MAX_BODY_BYTES)}`,
    ["split its services over several files and apply each"],
  );
}

export async function planChanges(
  api: ApiClient,
  file: ConfigFile,
  source: string,
  convergence: Convergence,
): Promise<PlannedChange[]> {
  const body = requestBody(file, convergence);
  checkBodySize(body, source);
  const preview = await api.call("planFile", { body });
  return preview.services.map((service, i) => {
    // What apply would store (the file, with a release it leaves to deploys kept), else the file.
    const next = service.next ?? file.services[i]!;
    // Read with the read token, secrets in URLs come back masked: show the file masked too.
    const shown = service.spec && inReadersForm(service.spec) ? configForReaders(next) : next;
    const diff = diffLines(service.spec ? stringify(service.spec) : "", stringify(shown));
    const plan = service.plan;
    const changed = plan !== null && (plan.revision || MOVES.has(plan.outcome));
    return { ...service, current: service.spec, next, diff, changed };
  });
}

export function printPlan(out: Output, plan: PlannedChange[]): void {
  for (const change of plan) {
    const where = change.current ? `revision ${change.revision}` : "new service";
    if (change.refused) {
      out.line(out.paint("red", `✗ ${change.name} (${where}): refused: ${refusal(change)}`));
      for (const problem of change.refused.problems ?? [])
        out.line(out.paint("dim", `    ${problem.message}`));
      continue;
    }
    const words = change.plan?.words ?? "";
    if (!change.changed) {
      out.line(`${out.paint("dim", "=")} ${change.name} (${where}): ${words}`);
      continue;
    }
    out.line(out.paint("bold", `~ ${change.name} (${where}): ${words}`));
    for (const line of withContext(change.diff)) {
      if (line === "gap") out.line(out.paint("dim", "  …"));
      else if (line.kind === "add") out.line(out.paint("green", `+ ${line.text}`));
      else if (line.kind === "remove") out.line(out.paint("red", `- ${line.text}`));
      else out.line(`  ${line.text}`);
    }
  }
}

/** A refusal's message without the service name the Worker puts first. */
const refusal = (change: PlannedChange) =>
  change.refused!.message.replace(`service "${change.name}": `, "");

export function planJson(plan: PlannedChange[]) {
  return plan.map((c) => ({
    name: c.name,
    revision: c.revision,
    changed: c.changed,
    outcome: c.refused ? "refused" : (c.plan?.outcome ?? null),
    words: c.refused ? `refused: ${refusal(c)}` : (c.plan?.words ?? null),
    ...(c.refused ? { refused: c.refused } : {}),
    desired: c.plan?.desired ?? null,
    serving: c.plan?.serving ?? null,
    rolling: c.plan?.rolling ?? null,
    diff: c.diff.filter((l) => l.kind !== "same"),
  }));
}

/**
 * Apply would refuse a service: nothing of the file is stored. Exit with the refusal's code
 * (8 behind what serves, 7 a rollout's phase, 3 invalid), whether or not --exit-code was given.
 */
export function refuseWhenRefused(plan: PlannedChange[]): void {
  const refused = plan.filter((c) => c.refused);
  if (refused.length === 0) return;
  const first = refused[0]!;
  throw new CliError(
    exitCodeForApi(first.refused!.code),
    `apply would be refused, nothing stored: ${refused.map((c) => `${c.name}: ${refusal(c)}`).join("; ")}`,
    (first.refused!.problems ?? []).map((p) => p.message),
  );
}

/** `--exit-code`: exit 6 when something would change (0 when nothing would), as `git diff` does. */
export const exitCodeArg = {
  "exit-code": {
    type: "boolean",
    description: "exit 6 when something would change, 0 when nothing would",
  },
} as const;

export function exitWhenPending(plan: PlannedChange[], asked: boolean | undefined): void {
  refuseWhenRefused(plan);
  if (asked && plan.some((c) => c.changed)) throw new QuietExit(EXIT.changesPending);
}
