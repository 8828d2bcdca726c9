// vitest setupFiles of the e2e project: names under .localhost reach this machine (RFC 6761), as
// curl and browsers already resolve them, for this process's fetch too (and the origins it runs).
// Each end-to-end file sends its traffic to the shared Worker under a host name of its own
// (joinSharedStack in e2e-stack.ts); wrangler dev hands the Worker that name as the request's host.
import { lookup } from "node:dns";
import type { LookupFunction } from "node:net";
import { Agent, setGlobalDispatcher } from "undici";

const lookupLocalhost: LookupFunction = (hostname, options, answer) => {
  if (!hostname.endsWith(".localhost")) lookup(hostname, options, answer);
  else if (options.all) answer(null, [{ address: "127.0.0.1", family: 4 }]);
  else answer(null, "127.0.0.1", 4);
};

setGlobalDispatcher(new Agent({ connect: { lookup: lookupLocalhost } }));
