// Reads a CPU profile of the minified Worker through its source map: the top functions by self
// time, and the time per Keystone module, where a module is charged for its own code and for the
// runtime calls it makes (a `new Headers` in headers.ts is headers.ts's cost).
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import type { CpuProfile, CpuProfileNode } from "./inspector.ts";

export interface ProfileSummary {
  /** Sampled time, µs: all, idle excluded. */
  totalUs: number;
  busyUs: number;
  topFunctions: { label: string; selfUs: number }[];
  modules: { module: string; ownUs: number; runtimeUs: number }[];
}

interface Place {
  /** "worker/core/decide.ts", "zod", or undefined for runtime (native) frames. */
  module: string | undefined;
  label: string;
}

const IDLE = "(idle)";

/** "…/worker/core/decide.ts" → "worker/core/decide.ts"; "…/node_modules/zod/…" → "zod". */
export function moduleOf(source: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)?.[1];
  if (pkg) return pkg;
  const own = /(?:^|\/)((?:worker|schemas|bench)\/.*)$/.exec(source)?.[1];
  return own ?? source;
}

function placer(map: SourceMap, bundleName: string): (node: CpuProfileNode) => Place {
  const cache = new Map<number, Place>();
  return (node) => {
    const hit = cache.get(node.id);
    if (hit) return hit;
    const { url, lineNumber, columnNumber, functionName } = node.callFrame;
    let place: Place = { module: undefined, label: functionName || "(anonymous)" };
    if (url.endsWith(bundleName)) {
      const entry = map.findEntry(lineNumber, columnNumber) as {
        originalSource?: string;
        originalLine?: number;
        name?: string;
      };
      if (entry.originalSource) {
        const module = moduleOf(entry.originalSource);
        const name = entry.name ?? functionName ?? "(anonymous)";
        place = {
          module,
          label: `${name || "(anonymous)"} ${module}:${(entry.originalLine ?? 0) + 1}`,
        };
      }
    } else if (functionName && !functionName.startsWith("(")) {
      place = { module: undefined, label: `${functionName} (runtime)` };
    }
    cache.set(node.id, place);
    return place;
  };
}

/** Runtime work no Keystone frame called (directly under the profile's root). */
function runtimeLabel(functionName: string): string {
  if (functionName === "(program)") return "runtime: (program), native work in the isolate";
  if (functionName === "(garbage collector)") return "runtime: (garbage collector)";
  return `runtime: ${functionName || "anonymous (promise jobs, body streaming)"}`;
}

/**
 * Each sample's node and the time it stands for, µs: from the sample to the next one (the last
 * to the profile's end), as DevTools counts self time.
 */
function* sampledTimes(profile: CpuProfile): Generator<[number, number]> {
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i]!;
    const next = i + 1 < profile.samples.length ? at + profile.timeDeltas[i + 1]! : profile.endTime;
    yield [profile.samples[i]!, Math.max(0, next - at)];
  }
}

export function summarizeProfile(
  profile: CpuProfile,
  sourceMapPath: string,
  bundleName = "index.js",
): ProfileSummary {
  const map = new SourceMap(JSON.parse(readFileSync(sourceMapPath, "utf8")));
  const place = placer(map, bundleName);
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  /** The nearest frame, from the leaf up, that maps to a module of the bundle. */
  const owner = (id: number): string | undefined => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const m = place(nodes.get(at)!).module;
      if (m) return m;
    }
    return undefined;
  };
  const self = new Map<string, number>();
  const own = new Map<string, number>();
  const runtime = new Map<string, number>();
  const add = (m: Map<string, number>, key: string, us: number) =>
    m.set(key, (m.get(key) ?? 0) + us);
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of sampledTimes(profile)) {
    const node = nodes.get(id)!;
    totalUs += us;
    if (node.callFrame.functionName === IDLE) {
      idleUs += us;
      continue;
    }
    const leaf = place(node);
    add(self, leaf.label, us);
    if (leaf.module) add(own, leaf.module, us);
    else add(runtime, owner(node.id) ?? runtimeLabel(node.callFrame.functionName), us);
  }
  const modules = [...new Set([...own.keys(), ...runtime.keys()])]
    .map((module) => ({ module, ownUs: own.get(module) ?? 0, runtimeUs: runtime.get(module) ?? 0 }))
    .sort((a, b) => b.ownUs + b.runtimeUs - (a.ownUs + a.runtimeUs));
  const topFunctions = [...self]
    .map(([label, selfUs]) => ({ label, selfUs }))
    .sort((a, b) => b.selfUs - a.selfUs);
  return { totalUs, busyUs: totalUs - idleUs, topFunctions, modules };
}

/**
 * Self time by kind, for comparing two Workers whatever their code: each runtime function by name
 * (`fetch`, `setTimeout`, `Headers`…), the isolate's own native work, the collector, promise jobs,
 * and every frame of the Worker's own script together as "the Worker's JavaScript". µs, idle left
 * out. Used to set Keystone (B) against the proxy floor (P), whose scripts share nothing.
 */
export function selfTimeByKind(profile: CpuProfile, scriptName: string): Map<string, number> {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const kinds = new Map<string, number>();
  for (const [id, us] of sampledTimes(profile)) {
    const { functionName, url } = nodes.get(id)!.callFrame;
    if (functionName === IDLE) continue;
    const kind = url.endsWith(scriptName)
      ? "the Worker's JavaScript"
      : functionName && !functionName.startsWith("(")
        ? `${functionName} (runtime)`
        : runtimeLabel(functionName);
    kinds.set(kind, (kinds.get(kind) ?? 0) + us);
  }
  return kinds;
}
