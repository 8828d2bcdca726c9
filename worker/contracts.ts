// Each Durable Object as the Worker and the other objects reach it: where it lives (its address)
// and its RPC surface. Env types its namespaces with these interfaces, so nothing imports a Durable
// Object class to call it (no import circles), and every argument and result is a schema type from
// schemas/. An address names only the binding it needs, so this file imports no Env.
import type {
  ChangeResult,
  ReleaseStatus,
  RolloutStateWire,
  RolloutStatus,
  ServiceRecord,
} from "../schemas/api-responses.ts";
import type { ServicePreview } from "../schemas/apply-plan.ts";
import type { HistoryEntry } from "../schemas/history.ts";
import type { Incident } from "../schemas/incident.ts";
import type {
  ClaimingCommand,
  DeploymentCounts,
  DirectCommand,
  Prepared,
  Publication,
  PublishAck,
  RegistryEntry,
  TickReply,
  TxOutcome,
} from "../schemas/ledger.ts";
import type { AnalysisTest } from "../schemas/metric-check.ts";
import type { MirrorCounts, MirrorReadout } from "../schemas/mirror.ts";
import type { Result } from "../schemas/result.ts";
import type { RolloutState } from "../schemas/rollout-state.ts";
import type { Service } from "../schemas/service.ts";
import type {
  FlushAnswer,
  HaltSignal,
  OutcomeFlush,
  RouteCounts,
  SeriesQuery,
  WindowQuery,
  WindowStats,
} from "../schemas/stats.ts";
import type { RolloutVerdicts } from "../schemas/verdict-log.ts";

/**
 * One per service: the single writer of its config, rollout and history. Addressed by the
 * service's name, which it reads from its own id (`ctx.id.name`): no method takes it again.
 */
export interface ServiceRpc extends Rpc.DurableObjectBranded {
  record(): ServiceRecord | null;
  /** The newest `limit` entries (default and at most 1,000), oldest first. */
  history(limit?: number): HistoryEntry[];
  rolloutStatus(): Promise<Result<RolloutStatus>>;
  /** The last `limit` verdicts of the latest rollout, each with its judgement. */
  verdicts(limit: number): Result<RolloutVerdicts>;
  /** The rollout's metrics measured now against their providers; nothing is stored or acted on. */
  testMetrics(): Promise<Result<AnalysisTest>>;
  /** The rollout's stored state (epoch ms), without figures: for /_keystone/metrics. */
  rolloutState(): RolloutState | null;
  deploymentCounts(): DeploymentCounts;
  /** Rolled-back and aborted rollouts, newest first (epoch-ms times). */
  incidents(): Incident[];
  incident(id: string): Incident | null;
  /** Weights and rollout commands, decided by this service alone. */
  execute(command: DirectCommand): Promise<Result<ChangeResult | RolloutStateWire>>;
  /** What an apply would do now (diff): the ledger's decision, nothing stored or held. */
  preview(command: ClaimingCommand): ServicePreview;
  /** Phase one of apply, revert or delete: validated and held, nothing stored yet. */
  prepare(txId: string, command: ClaimingCommand): Promise<Result<Prepared>>;
  commit(txId: string): Promise<Result<ChangeResult>>;
  abort(txId: string): Promise<void>;
  tick(scheduledTime: number): Promise<TickReply>;
}

export function serviceObjectOf(
  env: { SERVICES: DurableObjectNamespace<ServiceRpc> },
  name: string,
) {
  return env.SERVICES.get(env.SERVICES.idFromName(name));
}

/**
 * The object of a service the registry knows (published once, deleted or not); undefined for a
 * name it does not. Reads ask first: reaching an object creates it, and its storage.
 */
export async function knownServiceObjectOf(
  env: {
    SERVICES: DurableObjectNamespace<ServiceRpc>;
    REGISTRY: DurableObjectNamespace<RegistryRpc>;
  },
  name: string,
) {
  return (await registryOf(env).knows(name)) ? serviceObjectOf(env, name) : undefined;
}

/** One for the whole Worker: the index of services, the host claims, the one writer of KV. */
export interface RegistryRpc extends Rpc.DurableObjectBranded {
  publish(publication: Publication): Promise<PublishAck>;
  /** Phase two: the host claims of a set of changes, all or none; their publications with them. */
  commitClaims(txId: string, publications: Publication[]): Promise<Result<null>>;
  /** How a transaction ended; asking about an unknown one aborts it (presumed abort). */
  txOutcome(txId: string): TxOutcome;
  list(): RegistryEntry[];
  /** Whether a service of this name was ever published (a deleted one too: its history stays). */
  knows(name: string): boolean;
  /** Which of `names` were ever published, as `knows` says of one. */
  published(names: string[]): string[];
  /** What committing these services' hosts would meet now (another service's claim), nothing stored. */
  hostConflicts(configs: Pick<Service, "name" | "hosts" | "pathPrefix">[]): Result<null>;
  activeRollouts(): string[];
  /** Active rollouts whose object's next tick was due before `dueBefore` (or never reported). */
  lateRollouts(dueBefore: number): string[];
  indexRelease(name: string, active: boolean): void;
  /** Whether a release of this name was ever started (an ended one too: its history stays). */
  knowsRelease(name: string): boolean;
  activeReleases(): string[];
  lateReleases(dueBefore: number): string[];
  /** A service's or release's object says when its alarm ticks it next (null: none ahead). */
  tickScheduled(kind: "service" | "release", name: string, due: number | null): void;
  claimWebhookSignature(signature: string, now: number, keepMs: number): boolean;
  generation(): number;
}

export function registryOf(env: { REGISTRY: DurableObjectNamespace<RegistryRpc> }) {
  return env.REGISTRY.get(env.REGISTRY.idFromName("registry"));
}

/**
 * One per release name: the single writer of its state and history; it drives its services.
 * Like a service's, it reads its name from its own id.
 */
export interface ReleaseRpc extends Rpc.DurableObjectBranded {
  /** `file` is parsed where it enters (a ReleaseFile). */
  start(file: unknown, who: Attribution, force?: boolean): Promise<Result<ReleaseStatus>>;
  status(): Result<ReleaseStatus>;
  abort(who: Attribution): Promise<Result<ReleaseStatus>>;
  tick(scheduledTime: number): Promise<TickReply>;
}

export function releaseObjectOf(
  env: { RELEASES: DurableObjectNamespace<ReleaseRpc> },
  name: string,
) {
  return env.RELEASES.get(env.RELEASES.idFromName(name));
}

/**
 * The object of a release the registry knows, for a read or an abort; undefined for a name never
 * started, without reaching an object (which would create one, and its storage, per name asked).
 */
export async function knownReleaseObjectOf(
  env: {
    RELEASES: DurableObjectNamespace<ReleaseRpc>;
    REGISTRY: DurableObjectNamespace<RegistryRpc>;
  },
  name: string,
) {
  return (await registryOf(env).knowsRelease(name)) ? releaseObjectOf(env, name) : undefined;
}

export interface Attribution {
  author?: string | undefined;
  reason?: string | undefined;
}

/** One per (service, version): outcome counts per route, and the version's fast-abort halt. */
export interface StatsRpc extends Rpc.DurableObjectBranded {
  /** A flush of outcome batches, counted once per flush id; the answer carries the halt. */
  record(flush: OutcomeFlush): Promise<FlushAnswer>;
  window(query: WindowQuery): WindowStats;
  /** Consecutive windows of `stepMs` from `from`: chart points in one call. */
  series(query: SeriesQuery): WindowStats[];
  /** Start of the last one-second bucket in [from, to] with a request on the routes (split and experiment when absent). */
  lastRequest(query: WindowQuery): number | null;
  /** Set on the first object, which passes it to every shard before answering. */
  halt(signal: HaltSignal): Promise<void>;
  resume(rolloutId: string): Promise<void>;
  currentHalt(): HaltSignal | null;
  /** Rising counters per outcome route (/_keystone/metrics). */
  totals(): RouteCounts[];
  /** Mirrored comparisons of this version in buckets starting in [from, to]. */
  mirrorWindow(query: WindowQuery): MirrorCounts;
  /** Rising counts of mirrored comparisons of this version (/_keystone/metrics). */
  mirrorTotals(): MirrorCounts;
  /** Mirrored comparisons since `from`: totals, busiest paths, kept sample diffs. */
  mirrorReadout(from: number, pathLimit: number): MirrorReadout;
  /** Over how many objects the version's flushes spread (the first object decides; others echo). */
  fanOut(): number;
  /** Asked of the first object by a busy shard: the fan-out after growing from `seen`. */
  grow(seen: number): Promise<number>;
  /** Sent by the first object to the others: the fan-out and the halt they answer flushes with. */
  adopt(shards: number, halt: HaltSignal | null): void;
}

/**
 * A stats object of one version of one service: shard 0 (the first, which also keeps the halt,
 * the fan-out and the mirrored comparisons) or one it spread to.
 */
export function statsObjectName(service: string, version: string, shard = 0): string {
  return shard === 0 ? `${service}/${version}` : `${service}/${version}#${shard}`;
}

export function statsObjectOf(
  env: { STATS: DurableObjectNamespace<StatsRpc> },
  service: string,
  version: string,
  shard = 0,
) {
  return env.STATS.get(env.STATS.idFromName(statsObjectName(service, version, shard)));
}
