// Answers a stand-in admin API gives in the CLI's in-process tests: every one valid for the
// schema the CLI parses it with (schemas/api-responses.ts), as the real Worker sends it.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type {
  IncidentResponse,
  ReleaseStatus,
  RolloutStateWire,
  RolloutStatus,
} from "../../schemas/api-responses.ts";
import type { ApplyPlan, FilePreview, ServicePreview } from "../../schemas/apply-plan.ts";
import type { ReleasePhase } from "../../schemas/release-state.ts";
import { Service, type ServiceInput } from "../../schemas/service.ts";
import { ServiceSpec } from "../../schemas/service-spec.ts";
import { shopService } from "./fixtures.ts";

export const AT = "2026-01-02T03:04:05.000Z";

/** A stored service as the API returns it: parsed, defaults filled in. */
export const record = (config = shopService()) => ({
  name: "shop",
  revision: 3,
  updatedAt: AT,
  config: Service.parse(config),
  spec: ServiceSpec.parse(config),
  serving: null,
});

/**
 * `POST /plan`'s answer for one service stored as `stored` (null: new), the apply deciding
 * `outcome` in `words`: as the Worker sends it (its words come from the ledger, tested there).
 */
export function preview(
  stored: ServiceInput | null,
  outcome: ApplyPlan["outcome"],
  words: string,
  extra: Partial<ServicePreview> = {},
): FilePreview {
  const plan: ApplyPlan = {
    outcome,
    words,
    done: words,
    revision: outcome !== "unchanged" && outcome !== "held",
    desired: null,
    serving: null,
    rolling: null,
    rolloutId: null,
    release: null,
  };
  const service: ServicePreview = {
    name: "shop",
    revision: stored ? 3 : 0,
    spec: stored && ServiceSpec.parse(stored),
    next: null,
    plan,
    refused: null,
    ...extra,
  };
  return { services: [service] };
}

export function rolloutState(phase: RolloutStateWire["phase"]): RolloutStateWire {
  return {
    id: "shop-rollout-1",
    phase,
    strategy: "canary",
    candidate: "canary",
    baseline: "stable",
    stepIndex: 0,
    stepCount: 2,
    weight: phase === "aborted" ? 0 : 10,
    startedAt: AT,
    stepStartedAt: AT,
    failures: 0,
    pausedBy: null,
    lastTickAt: AT,
    endedAt: phase === "aborted" ? AT : null,
    lastVerdict: { at: AT, outcome: "hold", reason: "baking", candidate: null, baseline: null },
  };
}

export function rolloutStatus(phase: RolloutStateWire["phase"]): RolloutStatus {
  const weight = phase === "aborted" ? 0 : 10;
  return {
    state: rolloutState(phase),
    split: { stable: 100 - weight, canary: weight },
    tracks: [
      { track: "stable", origin: "http://127.0.0.1:9001", release: "v1", weight: 100 - weight },
      { track: "canary", origin: "http://127.0.0.1:9002", release: "v2", weight },
    ],
    promotion: null,
    desired: null,
    serving: null,
    countedRoutes: ["split", "experiment"],
    candidate: {
      requests: 1,
      errors: 0,
      errorRatePercent: 0,
      p50: 1,
      p95: 1,
      p99: 1,
      from: AT,
      to: "2026-01-02T03:05:05.000Z",
    },
    baseline: null,
    stepBakeMs: null,
    halt: null,
    incident: null,
    now: AT,
  };
}

const dir = mkdtempSync(join(tmpdir(), "keystone-cli-"));

/** A config file of one service, written where the CLI can read it. */
export function configFile(name: string, service = shopService()): string {
  const path = join(dir, name);
  writeFileSync(path, stringify({ services: [service] }));
  return path;
}

/** An incident as the API sends it: a canary rolled back at step 2 on its error rate. */
export function incidentWire(): IncidentResponse {
  const figures = (requests: number, errorRatePercent: number) => ({
    requests,
    errors: Math.round((requests * errorRatePercent) / 100),
    errorRatePercent,
    p50: 40,
    p95: 120,
    p99: 200,
  });
  const failed = { check: "errorRate" as const, measured: 25, threshold: 5, passed: false };
  return {
    id: "3",
    service: "shop",
    rolloutId: "shop-rollout-1",
    outcome: "rolledBack",
    strategy: "canary",
    candidate: { track: "canary", release: "v2 | hotfix", origin: "http://127.0.0.1:9002" },
    baseline: { track: "stable", release: "v1" },
    release: "v2 | hotfix",
    startedAt: AT,
    at: "2026-01-02T03:09:05.000Z",
    step: 2,
    stepCount: 2,
    weight: 50,
    actor: { kind: "analysis", name: "cron" },
    reason: "error rate 25.00% > 5.00% (1 failed analysis in this step, limit 0)",
    failedChecks: [failed],
    summary:
      "shop: rollout of canary v2 | hotfix rolled back at step 2 of 2 (50%): error rate 25.00% > 5.00%",
    timeline: [
      {
        at: AT,
        event: "rollout.started",
        step: 1,
        weight: 10,
        by: "ana",
        what: "started at step 1 (10%)",
        reason: "<b>ship</b> it",
        candidate: null,
        baseline: null,
        failedChecks: [],
      },
      {
        at: "2026-01-02T03:06:05.000Z",
        event: "rollout.advanced",
        step: 2,
        weight: 50,
        by: "cron",
        what: "step 1 passed; step 2 at 50%",
        reason: "healthy",
        candidate: figures(120, 0),
        baseline: figures(1000, 0),
        failedChecks: [],
      },
      {
        at: "2026-01-02T03:09:05.000Z",
        event: "rollout.rolledBack",
        step: 2,
        weight: 50,
        by: "cron",
        what: "rolled back",
        reason: "error rate 25.00% > 5.00% (1 failed analysis in this step, limit 0)",
        candidate: figures(200, 25),
        baseline: figures(200, 0),
        failedChecks: [failed],
      },
    ],
    lastCandidateRequest: {
      at: "2026-01-02T03:09:07.000Z",
      tracedAt: "2026-01-02T03:12:00.000Z",
      settled: true,
    },
  };
}

/** A file with this text, written where the CLI can read it. */
export function textFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A release of api (held) and web (waiting for api to pass), in the given phase. */
export function releaseStatus(phase: ReleasePhase, reason = "api held; web waits"): ReleaseStatus {
  return {
    release: {
      format: 1,
      name: "checkout",
      file: {
        name: "checkout",
        services: [
          { service: "api", release: "v2" },
          { service: "web", after: { service: "api", passed: true } },
        ],
      },
      phase,
      services: [
        {
          service: "api",
          status: "held",
          rolloutId: "r-api",
          rollout: {
            phase: "paused",
            pausedBy: "release",
            step: 2,
            stepCount: 2,
            weight: 50,
            reason: "held at 50%",
          },
          note: null,
        },
        { service: "web", status: "waiting", rolloutId: null, rollout: null, note: null },
      ],
      startedAt: AT,
      endedAt: null,
      lastTickAt: AT,
      author: "ana",
      reason,
    },
    events: [
      {
        at: AT,
        type: "release.started",
        service: null,
        rolloutId: null,
        author: "ana",
        reason: "2 services",
      },
      {
        at: AT,
        type: "release.serviceStarted",
        service: "api",
        rolloutId: "r-api",
        author: null,
        reason: "first to start",
      },
    ],
    now: AT,
  };
}
