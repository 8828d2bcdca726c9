// One autocannon run in a process of its own, so it can be pinned to a core apart from workerd.
// Argument: {url, headers, seconds, connections, pipelining} as JSON. Prints the result and the load
// generator's own CPU time as JSON.
import autocannon from "autocannon";

const { url, headers, seconds, connections, pipelining } = JSON.parse(process.argv[2]!) as {
  url: string;
  headers: Record<string, string>;
  seconds: number;
  connections: number;
  pipelining: number;
};
const cpuBefore = process.cpuUsage();
const result = await autocannon({ url, headers, duration: seconds, connections, pipelining });
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(
  `${JSON.stringify({
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    loadCpuSeconds: (cpu.user + cpu.system) / 1e6,
  })}\n`,
);
