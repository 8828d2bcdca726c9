// The benchmark's origin, in its own process so it never shares an event loop with the load
// generator: a fixed small answer, or an injected error share (ORIGIN_ERROR_RATE).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const errorRate = Number(process.env.ORIGIN_ERROR_RATE ?? 0);
let ticker = 0;
const body = Buffer.from(
  JSON.stringify({
    ok: true,
    items: Array.from({ length: 8 }, (_, i) => ({ id: i, name: `item-${i}` })),
  }),
);
const server = createServer((req, res) => {
  req.resume();
  ticker += errorRate;
  if (ticker >= 1) {
    ticker -= 1;
    res.writeHead(500, { "content-type": "text/plain" });
    res.end("injected failure\n");
    return;
  }
  res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
