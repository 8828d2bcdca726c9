// Talking to a benchmarked Keystone instance: its admin API and its isolate counters.

import type { IsolateCounters } from "../../schemas/api.ts";
import type { ServiceInput } from "../../schemas/service.ts";
import { BENCH_TOKEN } from "./workers.ts";

export async function admin<T>(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${url}/_keystone/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${BENCH_TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

export function applyService(url: string, config: ServiceInput): Promise<unknown> {
  return admin(url, "PUT", `/services/${config.name}`, { config });
}

export function isolateCounters(url: string): Promise<IsolateCounters> {
  return admin<IsolateCounters>(url, "GET", "/isolate");
}

/** One request as a returning visitor; the version that answered. */
export async function visit(url: string, visitor: string): Promise<string | null> {
  const response = await fetch(`${url}/api/items`, { headers: { cookie: `ks_bench=${visitor}` } });
  await response.arrayBuffer();
  return response.headers.get("x-keystone-version");
}

/** Waits until `check` holds, polling; the time it first held. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  stepMs = 25,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return Date.now();
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
