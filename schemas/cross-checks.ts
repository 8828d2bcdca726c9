// Checks across fields of a service (and across the services of a file): names that must exist,
// names that must be unique, blue/green colours, the rollout candidate, origin loops. Written
// for raw input, so they also run when a shape check failed elsewhere in the same file and
// every problem is reported at once; the schemas call them on parsed values too.
import { judgingIssues } from "./judging-checks.ts";
import { specTrackIssues, withTrackDefaults } from "./release-tracks.ts";
import { nearest } from "./suggest.ts";

export type IssuePath = (string | number)[];

export interface CrossIssue {
  path: IssuePath;
  message: string;
}

type Raw = Record<string, unknown>;

const isRecord = (value: unknown): value is Raw =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string | undefined =>
  typeof value === "string" ? value : undefined;

/** `unknown version "canry": did you mean "canary"? (versions: stable, canary)` */
export function unknownName(what: string, name: string, known: readonly string[]): string {
  const close = nearest(name, known);
  return `unknown ${what} "${name}"${close ? `: did you mean "${close}"?` : ""} (${what}s: ${known.join(", ") || "none"})`;
}

/** Each name used more than once, reported at its later position. */
export function duplicates(
  names: (string | undefined)[],
  listPath: IssuePath,
  what: string,
  field = "name",
): CrossIssue[] {
  const seen = new Map<string, number>();
  const issues: CrossIssue[] = [];
  names.forEach((name, i) => {
    if (name === undefined) return;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, i);
    else
      issues.push({
        path: [...listPath, i, field],
        message: `duplicate ${what} "${name}" (also at ${String(listPath.at(-1))}[${first}])`,
      });
  });
  return issues;
}

/** Loopback origins are exempt: locally the Worker and its origins share 127.0.0.1 by port. */
const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  return p.startsWith("*.") ? h.endsWith(p.slice(1)) : p === h;
}

function originLoops(service: Raw, versions: Raw): CrossIssue[] {
  const hosts = list(service.hosts).filter((h): h is string => typeof h === "string");
  const issues: CrossIssue[] = [];
  for (const [name, version] of Object.entries(versions)) {
    const origin = isRecord(version) ? text(version.origin) : undefined;
    if (!origin || !URL.canParse(origin)) continue;
    const host = new URL(origin).hostname;
    const served = hosts.find((pattern) => hostMatches(pattern, host));
    if (served && !LOOPBACK.test(host)) {
      issues.push({
        path: ["versions", name, "origin"],
        message: `origin host ${host} is one of this service's own hosts (${served}): requests would loop through the Worker; point the origin at the backend's own hostname`,
      });
    }
  }
  return issues;
}

/** Rules named in analysis.countRules must be rules of the service. */
function countRulesIssues(service: Raw, rollout: Raw): CrossIssue[] {
  if (!isRecord(rollout.analysis)) return [];
  const rules = list(service.rules).flatMap((r) =>
    isRecord(r) && text(r.name) ? [text(r.name)!] : [],
  );
  return list(rollout.analysis.countRules).flatMap((name, i) =>
    typeof name === "string" && !rules.includes(name)
      ? [
          {
            path: ["rollout", "analysis", "countRules", i],
            message: unknownName("rule", name, rules),
          },
        ]
      : [],
  );
}

function rolloutIssues(service: Raw, known: string[]): CrossIssue[] {
  const rollout = service.rollout;
  if (!isRecord(rollout)) return [];
  const issues: CrossIssue[] = [...countRulesIssues(service, rollout), ...judgingIssues(service)];
  if (rollout.strategy === "blueGreen") {
    for (const colour of ["blue", "green"]) {
      if (!known.includes(colour))
        issues.push({
          path: ["versions"],
          message: `a blueGreen rollout needs a version named "${colour}"`,
        });
    }
    return issues;
  }
  const candidate = text(rollout.candidate);
  if (candidate !== undefined && !known.includes(candidate))
    issues.push({
      path: ["rollout", "candidate"],
      message: unknownName("version", candidate, known),
    });
  if (candidate !== undefined && candidate === service.baseline)
    issues.push({
      path: ["rollout", "candidate"],
      message: "the candidate cannot be the baseline",
    });
  if (rollout.candidate === undefined && known.length !== 2)
    issues.push({
      path: ["rollout", "candidate"],
      message: "name the candidate version (needed when there are not exactly two versions)",
    });
  return issues;
}

/** Every cross-field problem of one service, paths relative to the service. */
export function serviceCrossIssues(service: unknown): CrossIssue[] {
  if (!isRecord(service)) return [];
  const rules = list(service.rules);
  const experiments = list(service.experiments);
  const issues: CrossIssue[] = [
    ...duplicates(
      rules.map((r) => (isRecord(r) ? text(r.name) : undefined)),
      ["rules"],
      "rule",
    ),
    ...duplicates(
      experiments.map((e) => (isRecord(e) ? text(e.name) : undefined)),
      ["experiments"],
      "experiment",
    ),
  ];
  // Without a versions map there is nothing to check the names against.
  if (!isRecord(service.versions)) return issues;
  const known = Object.keys(service.versions);
  const need = (name: unknown, path: IssuePath) => {
    if (typeof name === "string" && !known.includes(name))
      issues.push({ path, message: unknownName("version", name, known) });
  };
  need(service.baseline, ["baseline"]);
  if (isRecord(service.split))
    for (const name of Object.keys(service.split)) need(name, ["split", name]);
  rules.forEach((rule, i) => {
    if (!isRecord(rule)) return;
    need(rule.route, ["rules", i, "route"]);
    if (isRecord(rule.split))
      for (const name of Object.keys(rule.split)) need(name, ["rules", i, "split", name]);
  });
  experiments.forEach((experiment, i) => {
    if (!isRecord(experiment) || !isRecord(experiment.variants)) return;
    for (const [variant, spec] of Object.entries(experiment.variants))
      if (isRecord(spec)) need(spec.version, ["experiments", i, "variants", variant, "version"]);
  });
  if (isRecord(service.mirror)) need(service.mirror.version, ["mirror", "version"]);
  issues.push(...rolloutIssues(service, known), ...originLoops(service, service.versions));
  return issues;
}

/** Problems between the services of a file: their names, and host + pathPrefix pairs. */
export function servicesCrossIssues(file: unknown): CrossIssue[] {
  if (!isRecord(file)) return [];
  const services = list(file.services);
  const issues: CrossIssue[] = duplicates(
    services.map((s) => (isRecord(s) ? text(s.name) : undefined)),
    ["services"],
    "service",
  );
  const owners = new Map<string, string>();
  services.forEach((service, i) => {
    if (!isRecord(service)) return;
    const prefix = text(service.pathPrefix) ?? "/";
    list(service.hosts).forEach((host, h) => {
      if (typeof host !== "string") return;
      const key = `${host.toLowerCase()}${prefix}`;
      const owner = owners.get(key);
      if (owner === undefined) owners.set(key, `services[${i}] (${String(service.name)})`);
      else
        issues.push({
          path: ["services", i, "hosts", h],
          message: `host ${host.toLowerCase()} with pathPrefix ${prefix} is already served by ${owner}`,
        });
    });
  });
  return issues;
}

/**
 * Every cross-field problem of a service as a config file writes it (its spec): its tracks, its
 * release's origin, and the service's own checks on what the spec leaves out filled in.
 */
export function specCrossIssues(spec: unknown): CrossIssue[] {
  const issues = [...specTrackIssues(spec), ...serviceCrossIssues(withTrackDefaults(spec))];
  if (isRecord(spec) && isRecord(spec.release))
    for (const issue of originLoops(spec, { release: spec.release }))
      issues.push({ path: ["release", "origin"], message: issue.message });
  return issues;
}

/** Every cross-field problem of a file: between its services, and within each one. */
export function fileCrossIssues(file: unknown): CrossIssue[] {
  const issues = servicesCrossIssues(file);
  if (isRecord(file))
    list(file.services).forEach((service, i) => {
      for (const issue of specCrossIssues(service))
        issues.push({ path: ["services", i, ...issue.path], message: issue.message });
    });
  return issues;
}
