// The soak's load and its readings: a closed loop of keep-alive connections (the highest rate the
// stack sustains at that concurrency), and outcome counters read from /_keystone/metrics.
import { Agent, request } from "node:http";

export interface LoadTally {
  sent: number;
  statuses: Map<number, number>;
  /** Answers Keystone made itself (no x-origin header: 404/502/503/504) or no answer at all. */
  nonOrigin: number;
  networkErrors: number;
  byHost: Map<string, number>;
}

function once(agent: Agent, port: number, host: string, path: string) {
  return new Promise<{ status: number; fromOrigin: boolean }>((resolve, reject) => {
    const req = request({ agent, host: "127.0.0.1", port, path, headers: { host } }, (res) => {
      res.resume();
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, fromOrigin: res.headers["x-origin"] !== undefined }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** `connections` loops sending GETs round-robin over `hosts` until `seconds` have passed. */
export async function runLoad(
  port: number,
  hosts: string[],
  seconds: number,
  connections: number,
): Promise<LoadTally> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const tally: LoadTally = {
    sent: 0,
    statuses: new Map(),
    nonOrigin: 0,
    networkErrors: 0,
    byHost: new Map(),
  };
  const deadline = Date.now() + seconds * 1000;
  const loop = async (id: number) => {
    for (let i = id; Date.now() < deadline; i += connections) {
      const host = hosts[i % hosts.length]!;
      tally.sent++;
      tally.byHost.set(host, (tally.byHost.get(host) ?? 0) + 1);
      try {
        const { status, fromOrigin } = await once(agent, port, host, `/soak/${i % 97}`);
        tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
        if (!fromOrigin) tally.nonOrigin++;
      } catch {
        tally.networkErrors++;
        tally.nonOrigin++;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, id) => loop(id)));
  agent.destroy();
  return tally;
}

/** keystone_requests_total per service, summed over its other labels, from the Prometheus text. */
export function requestsByService(text: string, services: string[]): Map<string, number> {
  const counts = new Map(services.map((s) => [s, 0]));
  for (const line of text.split("\n")) {
    // One series per (service, version, reason, …): a service's are summed.
    const series = /^keystone_requests_total\{([^}]*)\} (\d+)$/.exec(line);
    const service = series && /(?:^|,)service="([^"]+)"/.exec(series[1]!)?.[1];
    if (series && service && counts.has(service))
      counts.set(service, counts.get(service)! + Number(series[2]));
  }
  return counts;
}

/** What the Worker recorded per service, read from /_keystone/metrics. */
export async function recordedOutcomes(
  url: string,
  token: string,
  services: string[],
): Promise<Map<string, number>> {
  const response = await fetch(`${url}/_keystone/metrics`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw new Error(`/_keystone/metrics answered ${response.status}`);
  return requestsByService(await response.text(), services);
}
