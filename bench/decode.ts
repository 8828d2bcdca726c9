// npm run bench:decode: the route entry of the benchmark's service (12 rules of every kind, an
// experiment) checked by the zod schema (RouteEntry) and by the data plane's decoder, each in
// fresh Node processes, alternating: loading the checker, its first check (what a fresh isolate
// pays on its first request), and a warm check. Plain Node, the modules as written (Node strips
// their types on load, so "load" includes that; compare the checks). Knob: BENCH_DECODE_SAMPLES (5).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { knob } from "./lib/knobs.ts";
import { median } from "./lib/stats.ts";

interface Timing {
  loadMs: number;
  firstMs: number;
  warmUs: number;
}

const CHECKERS = {
  zod: async () => {
    const { RouteEntry } = await import("../schemas/routes-doc.ts");
    return (value: unknown) => RouteEntry.safeParse(value).success;
  },
  decoder: async () => {
    const { decodeRouteEntry } = await import("../worker/data-plane/route-decoder.ts");
    return (value: unknown) => decodeRouteEntry(value).ok;
  },
};
type Checker = keyof typeof CHECKERS;

/** In a child process: one checker, timed, printed as JSON. */
async function timeOne(which: Checker, entryJson: string): Promise<Timing> {
  const entry = JSON.parse(entryJson) as unknown;
  const t0 = performance.now();
  const check = await CHECKERS[which]();
  const t1 = performance.now();
  if (!check(entry)) throw new Error(`${which} rejected the benchmark's entry`);
  const t2 = performance.now();
  const runs = 200;
  for (let i = 0; i < runs; i++) check(entry);
  const t3 = performance.now();
  return { loadMs: t1 - t0, firstMs: t2 - t1, warmUs: ((t3 - t2) / runs) * 1000 };
}

const [, , child, entryJson] = process.argv;
if (child === "zod" || child === "decoder") {
  console.log(JSON.stringify(await timeOne(child, entryJson!)));
} else {
  const samples = knob("BENCH_DECODE_SAMPLES", 5);
  // Imported here, not in the children: it loads the zod schemas.
  const { benchRoutesDoc } = await import("./lib/cold-start.ts");
  const doc = JSON.parse(benchRoutesDoc("http://127.0.0.1:9")) as { services: unknown[] };
  const entryJson = JSON.stringify(doc.services[0]);
  const timings: Record<Checker, Timing[]> = { zod: [], decoder: [] };
  for (let i = 0; i < samples; i++)
    for (const which of ["zod", "decoder"] as const) {
      const out = execFileSync(
        process.execPath,
        [fileURLToPath(import.meta.url), which, entryJson],
        {
          encoding: "utf8",
        },
      );
      timings[which].push(JSON.parse(out) as Timing);
    }
  console.log(`the benchmark's route entry, ${samples} fresh Node processes each, median:`);
  for (const which of ["zod", "decoder"] as const) {
    const m = (pick: (t: Timing) => number) => median(timings[which].map(pick));
    console.log(
      `  ${which.padEnd(8)} load ${m((t) => t.loadMs).toFixed(1)} ms, first check ${m((t) => t.firstMs).toFixed(1)} ms, warm check ${m((t) => t.warmUs).toFixed(0)} µs`,
    );
  }
}
