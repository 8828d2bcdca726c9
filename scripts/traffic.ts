// npm run traffic: a bounded burst of requests to the local Worker, each from a new visitor,
// spread over a few seconds, then what answered: enough for a local rollout step to advance.
//   npm run traffic -- [--requests 500] [--seconds 10] [--url http://127.0.0.1:8787]
// The URL defaults to KEYSTONE_URL, else http://127.0.0.1:$PORT (8787).
import { parseArgs } from "node:util";

const LIMITS = { requests: 100_000, seconds: 300 } as const;

/** One line and an exit code: 2 for a usage error, 1 when the Worker cannot be reached. */
function fail(message: string, code: 1 | 2 = 2): never {
  console.error(`npm run traffic: ${message}`);
  process.exit(code);
}

function numberOption(text: string, name: keyof typeof LIMITS): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > LIMITS[name])
    fail(`--${name} takes a number from 1 to ${LIMITS[name]}, not "${text}"`);
  return value;
}

const USAGE = "usage: npm run traffic -- [--requests N] [--seconds S] [--url U]";

function options() {
  try {
    return parseArgs({
      options: {
        requests: { type: "string", default: "500" },
        seconds: { type: "string", default: "10" },
        url: { type: "string" },
      },
    }).values;
  } catch (error) {
    // One line, no stack trace: an unknown flag, or flags npm swallowed (given without `--`).
    return fail(`${(error as Error).message.split("\n")[0]}; ${USAGE}`);
  }
}

const values = options();
const requests = Math.round(numberOption(values.requests, "requests"));
const seconds = numberOption(values.seconds, "seconds");
const url =
  values.url ?? process.env.KEYSTONE_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8787}`;
if (!URL.canParse(url)) fail(`"${url}" is not a URL`);

const served = new Map<string, number>();
const statuses = new Map<number, number>();
const started = Date.now();
let failures = 0;

async function one(): Promise<void> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
    const version = response.headers.get("x-keystone-version") ?? "(none)";
    served.set(version, (served.get(version) ?? 0) + 1);
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  } catch (error) {
    if (++failures === 1 && served.size === 0)
      fail(
        `cannot reach ${url}: ${(error as Error).cause ?? (error as Error).message} (is npm start running?)`,
        1,
      );
  }
}

// Evenly paced: request i leaves at i × (seconds / requests), so every second of the step's
// window gets its share and the Worker's per-second flushes carry them to the stats.
const gapMs = (seconds * 1000) / requests;
// AbortSignal.timeout's timers do not keep Node alive: should a fetch stall with no socket open,
// Node would exit 13 ("unsettled top-level await") instead of counting it failed after 10 s.
const keepAlive = setInterval(() => {}, 1_000);
const inFlight: Promise<void>[] = [];
for (let i = 0; i < requests; i++) {
  const due = started + i * gapMs;
  if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
  inFlight.push(one());
}
await Promise.all(inFlight);
clearInterval(keepAlive);
const list = (m: Map<string | number, number>, sep: string) =>
  [...m].map(([k, n]) => `${k}${sep}${n}`).join(", ");
console.log(
  `${requests} requests to ${url} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${list(served, " ")} (status ${list(statuses, "×")}${failures ? `; ${failures} failed` : ""})`,
);
