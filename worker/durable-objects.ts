// The Durable Object classes the entry exports, as thin shells: each loads its object's logic
// (worker/control-plane/…, with zod and the schemas) when an object is first constructed, not when
// an isolate starts, so a data plane isolate never evaluates it. The shell's RPC methods are
// generated from a list of names and delegate to the loaded object: no signature is written twice,
// so a method's arguments or result change in one place (the object, its contract in contracts.ts);
// a method added to a contract fails typecheck here until it is listed.
import { DurableObject } from "cloudflare:workers";
import type { RegistryRpc, ReleaseRpc, ServiceRpc, StatsRpc } from "./contracts.ts";
import type { Env } from "./env.ts";

/** The RPC methods of a contract (its brand is no method). */
type MethodsOf<Contract> = Exclude<keyof Contract, keyof Rpc.DurableObjectBranded>;

/** An object's logic: its contract's methods, and the alarm it ticks and delivers from. */
type Logic<Contract> = Contract & { alarm(): Promise<void> };

type LogicClass<Contract> = new (ctx: DurableObjectState, env: Env) => Logic<Contract>;

type ShellClass<Contract> = new (
  ctx: DurableObjectState,
  env: Env,
) => DurableObject<Env> & Contract;

/**
 * A Durable Object class whose logic is `load`ed when an object is constructed. The load happens
 * under blockConcurrencyWhile: the logic's constructor creates and migrates its tables, and no
 * request, RPC or alarm may reach the object before that (as when the constructor ran it itself).
 *
 * `legacyName`: the object reads its name from its id, and the release before this one passed
 * it first to every method. During a deploy, Workers still on that release call the new objects
 * (Durable Objects run the newest code at once): such a call (more arguments than the method
 * takes, the first being this object's name) has the name dropped here, where it arrives,
 * instead of landing in the wrong parameter.
 */
function loadedOnConstruction<Contract extends Rpc.DurableObjectBranded>(
  load: () => Promise<LogicClass<Contract>>,
  methods: Record<MethodsOf<Contract>, true>,
  legacyName = false,
): ShellClass<Contract> {
  class Shell extends DurableObject<Env> {
    /** Set before any event is delivered (the constructor's blockConcurrencyWhile). */
    #logic: Logic<Contract> | undefined;

    constructor(ctx: DurableObjectState, env: Env) {
      super(ctx, env);
      void ctx.blockConcurrencyWhile(async () => {
        const Logic = await load();
        this.#logic = new Logic(ctx, env);
      });
    }

    override alarm(): Promise<void> {
      return this.#loaded().alarm();
    }

    #loaded(): Logic<Contract> {
      if (!this.#logic) throw new Error("a Durable Object's logic was used before it loaded");
      return this.#logic;
    }

    #call(name: MethodsOf<Contract>, args: unknown[]): unknown {
      const logic = this.#loaded();
      const method = logic[name] as (...args: unknown[]) => unknown;
      const legacy =
        legacyName &&
        args.length > method.length &&
        args[0] !== undefined &&
        args[0] === this.ctx.id.name;
      return method.apply(logic, legacy ? args.slice(1) : args);
    }

    // Methods on the prototype, as a class declares them: what RPC exposes (nothing else is
    // public: the logic and its loading are private).
    static {
      for (const name of Object.keys(methods) as MethodsOf<Contract>[]) {
        Object.defineProperty(Shell.prototype, name, {
          value(this: Shell, ...args: unknown[]): unknown {
            return this.#call(name, args);
          },
        });
      }
    }
  }
  return Shell as unknown as ShellClass<Contract>;
}

export const ServiceObject = loadedOnConstruction<ServiceRpc>(
  () => import("./control-plane/service/service-object.ts").then((m) => m.ServiceObject),
  {
    record: true,
    history: true,
    rolloutStatus: true,
    verdicts: true,
    testMetrics: true,
    rolloutState: true,
    deploymentCounts: true,
    incidents: true,
    incident: true,
    execute: true,
    preview: true,
    prepare: true,
    commit: true,
    abort: true,
    tick: true,
  },
  true,
);

export const RegistryObject = loadedOnConstruction<RegistryRpc>(
  () => import("./control-plane/registry/registry-object.ts").then((m) => m.RegistryObject),
  {
    publish: true,
    commitClaims: true,
    txOutcome: true,
    list: true,
    knows: true,
    published: true,
    hostConflicts: true,
    activeRollouts: true,
    lateRollouts: true,
    indexRelease: true,
    knowsRelease: true,
    activeReleases: true,
    lateReleases: true,
    tickScheduled: true,
    claimWebhookSignature: true,
    generation: true,
  },
);

export const ReleaseObject = loadedOnConstruction<ReleaseRpc>(
  () => import("./control-plane/release/release-object.ts").then((m) => m.ReleaseObject),
  { start: true, status: true, abort: true, tick: true },
  true,
);

export const StatsObject = loadedOnConstruction<StatsRpc>(
  () => import("./control-plane/stats/stats-object.ts").then((m) => m.StatsObject),
  {
    record: true,
    window: true,
    series: true,
    lastRequest: true,
    halt: true,
    resume: true,
    currentHalt: true,
    totals: true,
    mirrorWindow: true,
    mirrorTotals: true,
    mirrorReadout: true,
    fanOut: true,
    grow: true,
    adopt: true,
  },
);
