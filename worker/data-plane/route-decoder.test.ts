// The data plane's hand-written route decoder against the zod schemas it stands in for: on
// thousands of entries made by mutating rich valid ones (a field replaced by another value of any
// kind or a near miss of its own kind, removed, a list item repeated), both accept and reject the
// same ones and return the same values. Fields the schemas do not know are the one difference, on
// purpose: the decoder ignores them, so it is compared with zod on the entry without them.
import * as fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type * as z from "zod";
import { benchService } from "../../bench/lib/config.ts";
import { NotifyEvent } from "../../schemas/event-types.ts";
import { DATA_PLANE_CAPABILITIES } from "../../schemas/route-doc-format.ts";
import {
  HostShardDoc,
  RouteEntry,
  RoutesDocEnvelope,
  RoutesHead,
  ServiceDocEnvelope,
} from "../../schemas/routes-doc.ts";
import { Service } from "../../schemas/service.ts";
import { loadRegexEngine } from "../core/regex-engine.ts";
import {
  decodeEnvelope,
  decodeHead,
  decodeHostShard,
  decodeRouteEntry,
  decodeService,
  decodeServiceDoc,
} from "./route-decoder.ts";

// Rules here have patterns string search cannot answer: RE2 loaded first, as the table load does.
beforeAll(async () => {
  await loadRegexEngine();
});

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Rules of every kind (the benchmark's), one of them with a regex. */
const rules = benchService("https://origin.example.net").rules!;

const canary = {
  name: "shop",
  hosts: ["shop.example.com", "*.Shop.example.com"],
  pathPrefix: "/",
  versions: {
    stable: { origin: "https://stable.example.net", release: "v1", healthPath: "/health" },
    canary: { origin: "https://canary.example.net/base", release: "v2", timeoutMs: 5000 },
  },
  baseline: "stable",
  split: { stable: 90, canary: 10 },
  sticky: { by: "cookie", cookie: "ks_shop", affinity: { maxAgeSeconds: 600 }, group: "web" },
  rules,
  experiments: [
    {
      name: "redesign",
      when: { path: { prefix: "/api" } },
      variants: { control: { weight: 50 }, treatment: { weight: 50, version: "canary" } },
    },
  ],
  rollout: {
    strategy: "canary",
    candidate: "canary",
    steps: [
      { weight: 10, bake: "5m", where: { country: ["de"], continent: ["EU"] } },
      { pause: true },
      { weight: 50, bake: "10m" },
    ],
    analysis: {
      minRequests: 100,
      maxErrorRatePercent: 2,
      maxP95Ms: 800,
      judge: "statistical",
      confidencePercent: 99,
      maxMirrorMismatchPercent: 5,
      maxRequestsPerVisitor: 20,
      countRules: ["beta"],
    },
    onFailure: { action: "rollback", ramp: "5m" },
    gates: { beforeStep: ["https://ci.example.com/gate?token=x"], beforePromote: [] },
    progressDeadline: "1h",
    onDeadline: "notify",
  },
  notify: [{ url: "https://hooks.example.com/k", events: ["rollout.started"], format: "slack" }],
  mirror: {
    version: "canary",
    percent: 5,
    methods: ["get", "POST"],
    withBody: true,
    timeoutMs: 2000,
    compare: {
      headers: ["Content-Type"],
      body: "json",
      ignoreFields: ["meta.at"],
      maxBodyBytes: 4096,
    },
  },
  forwardedFor: "replace",
  exposeVersionHeader: false,
  errorStatuses: ["5xx", "429"],
};

const linear = {
  name: "api",
  hosts: ["api.example.com"],
  versions: {
    stable: { origin: "http://127.0.0.1:9001" },
    next: { origin: "http://127.0.0.1:9002" },
  },
  baseline: "stable",
  split: { stable: 100, next: 0 },
  rollout: { strategy: "linear", stepPercent: 20, bake: "1m", onFailure: "pause" },
};

const blueGreen = {
  name: "web",
  hosts: ["web.example.com"],
  versions: {
    blue: { origin: "http://blue.internal" },
    green: { origin: "http://green.internal" },
  },
  baseline: "blue",
  split: { blue: 100, green: 0 },
  rollout: { strategy: "blueGreen" },
};

const live = {
  scope: "r-12",
  voided: null,
  wave: { colo: ["fra", "LHR"] },
};

const bases = [
  { name: "shop", sequence: 7, config: canary, live },
  { name: "api", sequence: 0, config: linear },
  {
    name: "web",
    sequence: 3,
    config: blueGreen,
    live: { scope: "-", voided: "green", ramping: true, wave: null },
    needs: [],
  },
] as unknown as JsonValue[];

/** Values a mutation puts in place of a field: near misses of every field's kind, and anything. */
const interesting: JsonValue[] = [
  ...["", "/", "/api", "a", "stable", "canary", "next", "blue", "green", "shop", "Shop", "a_b"],
  ...[
    "shop.example.com",
    "*.Example.com",
    "bad host",
    "http://127.0.0.1:9",
    "https://o.example.com/b",
  ],
  ...[
    " https://x.example.com ",
    "https://u:p@x.example.com",
    "https://x.example.com?q",
    "https://x.example.com#f",
  ],
  ...[
    "ftp://x.example.com",
    "notaurl",
    "http:x.example.com",
    "https://shop.example.com",
    "https://a\tb.example.com",
  ],
  ...[
    "30s",
    "5m",
    "1h30m",
    "2h",
    "0s",
    "500ms",
    "1d",
    "5 m",
    "cookie",
    "ip",
    "none",
    "header:x-user",
    "header:",
  ],
  ...[
    "5xx",
    "429",
    "600",
    "(bot|crawler)",
    "^/api/v2",
    "(a|b|ab|ba){1000}[^ab]",
    "(?=x)",
    "a{2,",
    "\\d+",
  ],
  ...[
    "10.0.0.0/8",
    "::1/128",
    "300.1.1.1/8",
    "US",
    "usa",
    "FRA",
    "EU",
    "XX",
    "GET",
    "get",
    "ß",
    "Content-Type",
  ],
  ...[
    "meta.requestId",
    "a..b",
    "json",
    "bytes",
    "append",
    "replace",
    "linear",
    "blueGreen",
    "rollback",
    "pause",
  ],
  ...[
    "abort",
    "notify",
    "threshold",
    "statistical",
    "weights.changed",
    "slack",
    "x".repeat(64),
    "x".repeat(300),
  ],
  ...NotifyEvent.options,
  ...[
    0,
    -0,
    1,
    -1,
    0.5,
    0.01,
    0.001,
    10,
    20,
    50,
    90,
    99.99,
    100,
    100.5,
    3600,
    604800,
    604801,
    1e6,
    300001,
    1024,
    2 ** 53,
    1.5,
  ],
  ...[
    true,
    false,
    null,
    [],
    {},
    ["GET"],
    ["US"],
    ["rollout.started"],
    { name: "x", equals: "y" },
    { prefix: "/a" },
  ],
  ...[
    { country: ["DE"] },
    { weight: 10, bake: "1m" },
    { pause: true },
    { stable: 100 },
    { stable: 50, canary: 50 },
  ],
  ...[{ origin: "http://x.internal" }, { weight: 100 }, { header: { name: "x", regex: "(a|b)" } }],
];

/** Near misses per field name: what a random value would almost never hit. */
const byField: Record<string, JsonValue[]> = {
  regex: [
    "(a|b|ab|ba){1000}[^ab]",
    "(?=x)",
    "a{2,",
    "\\d+",
    "(bot|crawler)",
    "x".repeat(257),
    "^/a$",
  ],
  origin: [
    " https://x.example.com ",
    "https://a\tb.example.com/x",
    "https://u:p@x.example.com",
    "http://localhost:1/x",
    "http://[::1]:3/",
    "https://x.example.com?q",
    "HTTPS://X.example.com",
    "https://x.example.com/#",
    "https://shop.example.com",
    "http://x.shop.example.com",
  ],
  hosts: ["SHOP.example.com", "*.x.com", "x_y.com", "-a.com", "a.b.c"],
  methods: ["get", "ß", "PO ST", "DELETE"],
  method: ["get", "", "PATCH"],
  headers: ["Content-Type", "X_Y", "é", "etag"],
  country: ["de", "DEU", "D1", "us"],
  colo: ["fra", "FRAN", "F1A", "lhr"],
  continent: ["eu", "EU", "XX", "AN"],
  bake: ["1s", "999ms", "1h", "61m", "3600000ms", "3600001ms", "0s"],
  weight: [0, 0.001, 33.33, 33.333, 100, 100.01, -0, 60, 40],
  percent: [0, 0.01, 0.001, 100, 101],
  release: ["v 1", " v1", "v1\n", "x".repeat(257), "é", "v2"],
  name: ["a-b", "A", "a".repeat(64), "-a", "shop", "beta"],
  cookie: ["a b", "ks;x", "ks_2"],
  by: ["header:X-Y", "header:x_y", "query", "ip"],
  scope: ["", "x".repeat(101), "r-1"],
  errorStatuses: ["5XX", "404", "4xx", "099"],
  ignoreFields: ["a.*.b", "*", "a b", "a..b", ".a"],
  events: [...NotifyEvent.options, "weights.changed"],
  timeoutMs: [0, 1, 99, 100, 30000, 30001, 300000, 300001, 1.5],
  maxAgeSeconds: [0, 604800, 604801, 1.5],
  ip: ["10.0.0.0/33", "::/0", "1.2.3.4", "1.2.3", "::ffff:1.2.3.4/128"],
  asn: [-1, 1.5, 0],
  sequence: [-1, 1.5, 2 ** 53, 0],
  confidencePercent: [49.9, 50, 99.99, 100],
  maxRequestsPerVisitor: [0, 1, 1_000_000, 1_000_001],
  minRequests: [0, 9, 10, -1],
  maxBodyBytes: [1023, 1024, 1_048_576, 1_048_577],
  candidate: ["stable", "canary", "nope", "green"],
  baseline: ["stable", "canary", "blue", "nope"],
  route: ["stable", "nope"],
  version: ["stable", "canary", "nope"],
  countRules: ["beta", "nope"],
  url: [
    "http://127.0.0.1:1/h",
    "http://hooks.example.com/k",
    "https://[::1]/",
    " https://h.example.com ",
  ],
  ramp: ["999ms", "1s", "1h", "61m"],
  judge: ["threshold", "statistical", "other"],
};
byField.beforeStep = byField.origin!;
byField.beforePromote = byField.url!;
byField.redactFields = byField.ignoreFields!;
byField.progressDeadline = byField.bake!;
byField.stepPercent = byField.percent!;
byField.maxWeight = byField.percent!;

type Step =
  | ["set", number, JsonValue]
  | ["near", number, number]
  | ["delete", number]
  | ["repeat", number];

interface Place {
  parent: JsonValue[] | Record<string, JsonValue>;
  key: string | number;
  /** The nearest field name above (a list item takes its list's). */
  field: string;
}

/** Every place in a value: objects' keys and lists' items, with their parent. */
function places(value: JsonValue): Place[] {
  const found: Place[] = [];
  const walk = (node: JsonValue, field: string) => {
    if (Array.isArray(node))
      node.forEach((item, i) => {
        found.push({ parent: node, key: i, field });
        walk(item, field);
      });
    else if (node !== null && typeof node === "object")
      for (const [key, item] of Object.entries(node)) {
        found.push({ parent: node, key, field: key });
        walk(item, key);
      }
  };
  walk(value, "");
  return found;
}

function mutate(base: JsonValue, steps: Step[]): JsonValue {
  const value = structuredClone(base);
  for (const step of steps) {
    // A near miss goes where it is near: to a field that has some.
    const all = places(value).filter((place) => step[0] !== "near" || byField[place.field]);
    if (all.length === 0) continue;
    const { parent, key, field } = all[step[1] % all.length]!;
    const slot = parent as Record<string | number, JsonValue>;
    if (step[0] === "set") slot[key] = structuredClone(step[2]);
    else if (step[0] === "near") {
      const near = byField[field]!;
      slot[key] = structuredClone(near[step[2] % near.length]!);
    } else if (Array.isArray(parent)) {
      if (step[0] === "delete") parent.splice(key as number, 1);
      else parent.push(structuredClone(parent[key as number]!));
    } else if (step[0] === "delete") delete parent[key as string];
  }
  return value;
}

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(
      fc.constant("set" as const),
      fc.nat(),
      fc.oneof(
        { weight: 5, arbitrary: fc.constantFrom(...interesting) },
        { weight: 1, arbitrary: fc.jsonValue() as fc.Arbitrary<JsonValue> },
      ),
    ),
  },
  { weight: 6, arbitrary: fc.tuple(fc.constant("near" as const), fc.nat(), fc.nat()) },
  { weight: 2, arbitrary: fc.tuple(fc.constant("delete" as const), fc.nat()) },
  { weight: 1, arbitrary: fc.tuple(fc.constant("repeat" as const), fc.nat()) },
);

/**
 * A zod schema's answer for a value with the fields it does not know removed (the decoder ignores
 * them): the value is parsed, the keys zod calls unrecognized deleted where it says, and again.
 */
function parseKnown<T>(
  schema: { safeParse(value: unknown): z.ZodSafeParseResult<T> },
  value: JsonValue | undefined,
): z.ZodSafeParseResult<T> {
  const known = structuredClone(value);
  for (;;) {
    const result = schema.safeParse(known);
    const unknown =
      result.error?.issues.filter((issue) => issue.code === "unrecognized_keys") ?? [];
    if (unknown.length === 0) return result;
    for (const issue of unknown) {
      let holder = known as Record<PropertyKey, JsonValue>;
      for (const step of issue.path) holder = holder[step] as Record<PropertyKey, JsonValue>;
      for (const key of (issue as z.core.$ZodIssueUnrecognizedKeys).keys) delete holder[key];
    }
  }
}

const mutated = fc
  .tuple(fc.constantFrom(...bases), fc.array(stepArbitrary, { minLength: 0, maxLength: 3 }))
  .map(([base, steps]) => mutate(base, steps));

describe("the route decoder against the zod schemas", () => {
  it("accepts and rejects the same entries as RouteEntry, and returns the same values", () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(mutated, (entry) => {
        const decoded = decodeRouteEntry(entry);
        const needs = (entry as { needs?: JsonValue } | null)?.needs;
        if (
          Array.isArray(needs) &&
          needs.every((need) => typeof need === "string" && need !== "") &&
          needs.some((need) => !DATA_PLANE_CAPABILITIES.has(need as string))
        ) {
          // The other difference on purpose: an entry needing what this data plane lacks.
          expect(!decoded.ok && decoded.problems[0]?.at).toBe("entry.needs");
          return;
        }
        const expected = parseKnown(RouteEntry, entry);
        expect(decoded.ok, JSON.stringify({ entry, zod: expected.error?.issues, decoded })).toBe(
          expected.success,
        );
        if (expected.success && decoded.ok) expect(decoded.value).toStrictEqual(expected.data);
        if (expected.success) accepted++;
        else rejected++;
      }),
      { numRuns: 3000 },
    );
    // Neither side may be a trickle: the comparison would then prove little.
    expect(accepted).toBeGreaterThan(300);
    expect(rejected).toBeGreaterThan(300);
  });

  it("agrees on every near miss of every field, one at a time", () => {
    let checked = 0;
    for (const base of bases) {
      const nearPlaces = places(base).filter((place) => byField[place.field]);
      nearPlaces.forEach((place, at) => {
        byField[place.field]!.forEach((_, k) => {
          const entry = mutate(base, [["near", at, k]]);
          const expected = parseKnown(RouteEntry, entry);
          const decoded = decodeRouteEntry(entry);
          const where = `${place.field} = ${JSON.stringify(byField[place.field]![k])}`;
          expect(decoded.ok, where).toBe(expected.success);
          if (expected.success && decoded.ok)
            expect(decoded.value, where).toStrictEqual(expected.data);
          checked++;
        });
      });
    }
    expect(checked).toBeGreaterThan(500);
  });

  it("names are bounded on both sides: a track, experiment or variant at 63 characters, a rule's at 200", () => {
    interface Config {
      versions: Record<string, unknown>;
      split: Record<string, number>;
      rules: { name: string }[];
      experiments: { name: string; variants: Record<string, unknown> }[];
      rollout?: unknown;
      mirror?: unknown;
    }
    const renames: [string, number, (config: Config, name: string) => void][] = [
      [
        "a track",
        63,
        (config, name) => {
          const { canary: track, ...others } = config.versions;
          config.versions = { ...others, [name]: track };
          config.split = { stable: 90, [name]: 10 };
          // What names the track by its old name goes: the rename is about the key alone.
          config.rules = [];
          config.experiments = [];
          delete config.rollout;
          delete config.mirror;
        },
      ],
      [
        "an experiment",
        63,
        (config, name) => {
          config.experiments[0]!.name = name;
        },
      ],
      [
        "a variant",
        63,
        (config, name) => {
          config.experiments[0]!.variants = { control: { weight: 50 }, [name]: { weight: 50 } };
        },
      ],
      [
        "a rule",
        200,
        (config, name) => {
          config.rules[0]!.name = name;
        },
      ],
    ];
    for (const [what, longest, rename] of renames)
      for (const length of [longest, longest + 1]) {
        const entry = structuredClone(bases[0]) as unknown as { config: Config };
        rename(entry.config, "n".repeat(length));
        const where = `${what} of ${length} characters`;
        expect(RouteEntry.safeParse(entry).success, where).toBe(length === longest);
        expect(decodeRouteEntry(entry).ok, where).toBe(length === longest);
      }
  });

  it("a bare service (format 1) decodes as Service parses it", () => {
    fc.assert(
      fc.property(mutated, (entry) => {
        const config = (entry as { config?: JsonValue } | null)?.config;
        const expected = parseKnown(Service, config);
        const decoded = decodeService(config);
        expect(decoded.ok, JSON.stringify({ config, zod: expected.error?.issues })).toBe(
          expected.success,
        );
        if (expected.success && decoded.ok) expect(decoded.value).toStrictEqual(expected.data);
      }),
      { numRuns: 500 },
    );
  });

  it("the envelope decodes as RoutesDocEnvelope parses it", () => {
    const envelope = {
      format: 2,
      generation: 3,
      publishedAt: "2026-12-06T19:00:00.123Z",
      services: [],
    };
    const dates = [
      "2026-02-29T00:00:00Z",
      "2028-02-29T23:59:59Z",
      "2026-12-06T19:00:00+01:00",
      "2026-12-06",
    ];
    decodesAsSchema(
      envelope,
      RoutesDocEnvelope,
      decodeEnvelope,
      [...dates, 1, 2, 3, -1, 2.5],
      2,
      500,
    );
  });
});

/**
 * Values made from `base` by a few mutations (near misses, any of `values` set anywhere): the
 * decoder accepts and rejects what the schema does, and returns the same values.
 */
function decodesAsSchema(
  base: JsonValue,
  schema: { safeParse(value: unknown): z.ZodSafeParseResult<unknown> },
  decode: (value: unknown) => { ok: boolean; value?: unknown },
  values: JsonValue[],
  maxSteps: number,
  numRuns: number,
): void {
  const set = fc.tuple(
    fc.constant("set" as const),
    fc.nat(),
    fc.constantFrom<JsonValue>(...values),
  );
  fc.assert(
    fc.property(fc.array(fc.oneof(stepArbitrary, set), { maxLength: maxSteps }), (steps) => {
      const value = mutate(base, steps);
      const expected = parseKnown(schema, value);
      const decoded = decode(value);
      expect(decoded.ok, JSON.stringify(value)).toBe(expected.success);
      if (expected.success && decoded.ok) expect(decoded.value).toStrictEqual(expected.data);
    }),
    { numRuns },
  );
}

describe("the keys of a publication per service, against their zod schemas", () => {
  const head = {
    format: 1,
    generation: 12,
    publishedAt: "2026-12-06T19:00:00.123Z",
    recentSince: 9,
    recent: [
      { generation: 10, services: ["shop"], shards: [] },
      { generation: 12, services: ["api", "web"], shards: [3, 60] },
    ],
    rootHosts: { "*.com": ["catch-all"] },
  };
  const shard = {
    format: 1,
    generation: 12,
    hosts: { "shop.example.com": ["shop", "shop-api"], "*.example.com": ["web"] },
  };
  const serviceDoc = { format: 1, generation: 12, entry: bases[0] };
  const values: JsonValue[] = [
    1,
    0,
    -1,
    2.5,
    "1",
    null,
    true,
    [],
    {},
    ["x"],
    [1],
    { a: ["b"] },
    { a: "b" },
  ];

  for (const [name, base, schema, decode] of [
    ["the head", head, RoutesHead, decodeHead],
    ["a host index shard", shard, HostShardDoc, decodeHostShard],
    ["a service's key (its wrapper)", serviceDoc, ServiceDocEnvelope, decodeServiceDoc],
  ] as const)
    it(`${name} decodes as its schema parses it`, () => {
      decodesAsSchema(base as JsonValue, schema, decode, values, 3, 400);
    });
});

/** Objects that are records (their keys are data: versions, splits, variants), not fields. */
const RECORDS = new Set(["versions", "split", "variants"]);

describe("fields the decoder does not know", () => {
  it("are ignored wherever they are: the entry decodes as it did without them (zod refuses them)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...bases),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom("future", "weightV2", "label")), {
          minLength: 1,
          maxLength: 3,
        }),
        (base, additions) => {
          const entry = structuredClone(base) as Record<string, JsonValue>;
          const objects: Record<string, JsonValue>[] = [entry];
          for (const { parent, key } of places(entry)) {
            const item = (parent as Record<string | number, JsonValue>)[key];
            if (
              item &&
              typeof item === "object" &&
              !Array.isArray(item) &&
              !RECORDS.has(String(key))
            )
              objects.push(item as Record<string, JsonValue>);
          }
          for (const [at, field] of additions)
            objects[at % objects.length]![field] = { any: "value" };
          expect(RouteEntry.safeParse(entry).success).toBe(false);
          const decoded = decodeRouteEntry(entry);
          expect(decoded).toStrictEqual(decodeRouteEntry(base));
          expect(decoded.ok).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("an entry that needs a capability this data plane lacks is refused, saying which", () => {
    const decoded = decodeRouteEntry({ ...(bases[1] as object), needs: ["condition.time"] });
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.problems[0]).toEqual({
      at: "entry.needs",
      message: "needs condition.time, which this data plane lacks (it has: none)",
    });
  });

  it("a problem names where it is", () => {
    const entry = structuredClone(bases[0]) as { config: { rules: { when: object }[] } };
    entry.config.rules[4]!.when = { path: { regex: "(?=x)" } };
    const decoded = decodeRouteEntry(entry);
    expect(!decoded.ok && decoded.problems.map((p) => p.at)).toEqual([
      "entry.config.rules[4].when.path.regex",
    ]);
  });
});
