// npm start: the Worker on http://127.0.0.1:8787 with local KV and Durable Objects kept on disk,
// two demo origins, the demo config applied on first start, and a few lines to try.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { main as keystone } from "../admin-cli/main.ts";
import { startOrigin } from "./origin-server.ts";
import {
  PROJECT_ROOT,
  randomSecrets,
  readEnvFile,
  startWorker,
  stopProcessGroup,
  writeEnvFile,
} from "./stack.ts";

const PORT = Number(process.env.PORT ?? 8787);
const DEV_VARS = join(PROJECT_ROOT, ".dev.vars");

if (!existsSync(DEV_VARS)) {
  writeEnvFile(DEV_VARS, randomSecrets());
  console.log("created .dev.vars with fresh local tokens (git-ignored)");
}
const vars = readEnvFile(DEV_VARS);

const origins = await Promise.all([
  startOrigin("stable", {}, Number(process.env.DEMO_STABLE_PORT ?? 9001)),
  startOrigin("canary", {}, Number(process.env.DEMO_CANARY_PORT ?? 9002)),
]).catch((error: Error) => {
  console.error(`cannot start the demo origins on ports 9001/9002: ${error.message}`);
  process.exit(1);
});
console.log(`demo origins: stable ${origins[0].url}, canary ${origins[1].url}`);

const stack = await startWorker({
  port: PORT,
  persistTo: join(PROJECT_ROOT, ".wrangler/state"),
  envFile: DEV_VARS,
  inheritOutput: true,
});

let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await stopProcessGroup(stack.process);
    await Promise.all(origins.map((o) => o.close()));
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
stack.process.on("exit", (code) => void shutdown(code ?? 1));

const auth = ["--url", stack.url, "--token", vars.ADMIN_TOKEN!];
const listing = await fetch(`${stack.url}/_keystone/v1/services`, {
  headers: { authorization: `Bearer ${vars.ADMIN_TOKEN}` },
});
const { services } = (await listing.json()) as { services: unknown[] };
if (services.length === 0) {
  await keystone([
    "apply",
    "-f",
    join(PROJECT_ROOT, "examples/demo.yaml"),
    "--reason",
    "npm start demo",
    ...auth,
  ]);
} else {
  console.log(`kept ${services.length} service(s) from the last run (.wrangler/state)`);
}

console.log(`
Keystone Edge is running on ${stack.url}  (Ctrl-C stops everything)

Try:
  curl -i ${stack.url}/                          # x-keystone-version says which version answered
  curl -s -H 'x-canary: always' ${stack.url}/    # a header rule forces the canary
  npx keystone get                                # services, revisions and splits
  npx keystone weights demo stable=50 canary=50   # move traffic
  npx keystone explain demo -H 'x-canary: always' # why a request goes where it goes
  npx keystone history demo
  curl ${stack.url}/__scheduled                  # fire the cron by hand

Status page: ${stack.url}/_keystone/ui  (sign in with READ_TOKEN from .dev.vars)
Metrics:     curl -H "Authorization: Bearer $READ_TOKEN" ${stack.url}/_keystone/metrics
`);
