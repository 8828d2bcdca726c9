// npm start: the Worker on http://127.0.0.1:$PORT (8787) with local KV and Durable Objects kept
// on disk, two demo origins ($DEMO_STABLE_PORT, $DEMO_CANARY_PORT: 9001, 9002), the demo config
// built for those ports and applied on first start, and a few lines to try with the right URL.
// KEYSTONE_LOCAL_DIR (default: the project) holds .dev.vars and the state, so a second stack
// (the end-to-end tests) does not touch yours.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_URL } from "../admin-cli/globals.ts";
import { main as keystone } from "../admin-cli/main.ts";
import { staleDemoPorts, writeDemoConfig } from "./demo-config.ts";
import { type OriginServer, startOrigin } from "./origin-server.ts";
import { assertPortFree, portFromEnv, StackError } from "./ports.ts";
import {
  ensureLocalEnvFile,
  PROJECT_ROOT,
  readEnvFile,
  type Stack,
  startWorker,
  stopProcessGroup,
} from "./stack.ts";

const localDir = process.env.KEYSTONE_LOCAL_DIR ?? PROJECT_ROOT;
const devVars = join(localDir, ".dev.vars");
const stateDir = process.env.KEYSTONE_LOCAL_DIR
  ? join(localDir, "state")
  : join(PROJECT_ROOT, ".wrangler/state");

let origins: OriginServer[] = [];
let stack: Stack | undefined;
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    if (stack) await stopProcessGroup(stack.process);
    await Promise.all(origins.map((o) => o.close()));
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

async function start(): Promise<void> {
  const port = portFromEnv(process.env, "PORT", 8787);
  const stablePort = portFromEnv(process.env, "DEMO_STABLE_PORT", 9001);
  const canaryPort = portFromEnv(process.env, "DEMO_CANARY_PORT", 9002);
  // Every port checked before anything starts or claims success.
  await assertPortFree(port, "the Worker", "PORT");
  await assertPortFree(stablePort, "the stable demo origin", "DEMO_STABLE_PORT");
  await assertPortFree(canaryPort, "the canary demo origin", "DEMO_CANARY_PORT");

  // A KEYSTONE_LOCAL_DIR that does not exist yet is made, as the state folder inside it would be.
  mkdirSync(localDir, { recursive: true });
  const created = ensureLocalEnvFile(devVars);
  if (created) console.log(created);
  const vars = readEnvFile(devVars);

  origins = await Promise.all([
    startOrigin("stable", {}, stablePort),
    startOrigin("canary", {}, canaryPort),
  ]);
  const [stable, canary] = origins as [OriginServer, OriginServer];
  console.log(`demo origins: stable ${stable.url}, canary ${canary.url}`);

  stack = await startWorker({
    port,
    persistTo: stateDir,
    envFile: devVars,
    inheritOutput: true,
  });
  stack.process.on("exit", (code) => void shutdown(code ?? 1));

  const url = stack.url;
  const auth = ["--url", url, "--token", vars.ADMIN_TOKEN!];
  const demoFile = writeDemoConfig(join(localDir, ".keystone/demo.yaml"), {
    stable: stable.url,
    canary: canary.url,
  });
  const listing = await fetch(`${url}/_keystone/v1/services`, {
    headers: { authorization: `Bearer ${vars.ADMIN_TOKEN}` },
  });
  const { services } = (await listing.json()) as {
    services: { name: string; config: { versions: Record<string, { origin: string }> } }[];
  };
  const flag = url === DEFAULT_URL ? "" : ` --url ${url}`;
  // With KEYSTONE_LOCAL_DIR, the CLI in another terminal needs it too to find the local token.
  const cli = process.env.KEYSTONE_LOCAL_DIR
    ? `KEYSTONE_LOCAL_DIR=${localDir} npx keystone`
    : "npx keystone";
  if (services.length === 0) {
    const code = await keystone(["apply", "-f", demoFile, "--reason", "npm start demo", ...auth]);
    if (code !== 0) throw new StackError(`applying the demo config failed (exit ${code})`);
  } else {
    console.log(`kept ${services.length} service(s) from the last run (${stateDir})`);
    const demo = services.find((s) => s.name === "demo");
    const stale = demo ? staleDemoPorts(demo.config.versions, [stablePort, canaryPort]) : [];
    if (stale.length > 0)
      console.log(
        `note: the stored demo service routes to ${stale.join(", ")}, where no demo origin listens now; the file names the demo's first releases, which a promotion may have passed (hence --force); re-point it with: ${cli} apply -f ${demoFile}${flag} --force`,
      );
  }
  const traffic = url === DEFAULT_URL ? "npm run traffic" : `PORT=${port} npm run traffic`;
  const hints: [string, string][] = [
    [`curl -i ${url}/`, "x-keystone-version says which version answered"],
    [`curl -s -H 'x-canary: always' ${url}/`, "a header rule forces the canary"],
    [`${cli} get${flag}`, "services, revisions and splits"],
    [`${cli} weights demo stable=50 canary=50${flag}`, "move traffic"],
    [`${cli} explain demo -H 'x-canary: always'${flag}`, "why a request goes where"],
    [`${cli} rollout start demo${flag}`, "a rollout: then the two lines below, twice"],
    [traffic, "500 requests over 10 s"],
    [`curl ${url}/__scheduled`, "fire the cron (every minute in production)"],
  ];
  const width = Math.max(...hints.map(([command]) => command.length));
  console.log(
    `\nKeystone Edge is running on ${url}  (Ctrl-C stops everything)\n\nTry, in another terminal:\n${hints
      .map(([command, why]) => `  ${command.padEnd(width)}  # ${why}`)
      .join("\n")}\n`,
  );
  console.log(
    `Status page: ${url}/_keystone/ui  (sign in with READ_TOKEN from ${devVars})\nMetrics:     curl -H "Authorization: Bearer $(sed -n 's/^READ_TOKEN=//p' ${devVars})" ${url}/_keystone/metrics\n`,
  );
}

try {
  await start();
} catch (error) {
  // One line, no stack trace: a busy port, a bad setting, a Worker that did not come up.
  const message = error instanceof Error ? error.message : String(error);
  console.error(`npm start: ${error instanceof StackError ? message : message.split("\n")[0]}`);
  await shutdown(1);
}
