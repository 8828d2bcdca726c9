// npm run deploy:data-plane [-- --env <name>] [wrangler deploy options, e.g. --dry-run]: deploys
// the data plane Worker (worker/data-plane/wrangler.toml) of an environment whose control plane
// (wrangler.toml) is deployed. The two must read one KV namespace, and wrangler cannot take a
// namespace id on its command line nor find another Worker's: the id pinned in wrangler.toml
// (docs/deploy.md, section 3) is written into a generated copy of the data plane's config beside
// it, which `wrangler deploy -c` deploys and which is deleted afterwards. Refused, before wrangler
// runs, when the id is not pinned, when the data plane's own config names another namespace, or
// when it does not bind to the environment's control plane Worker. The data plane's config carries
// a placeholder id (PLACEHOLDER_ID), so that a plain `wrangler deploy` of it fails instead of
// provisioning a new, empty namespace.
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { experimental_readRawConfig } from "wrangler";
import { PROJECT_ROOT } from "./stack.ts";

const DATA_PLANE_CONFIG = join(PROJECT_ROOT, "worker/data-plane/wrangler.toml");
/** Beside the data plane's config (its `main` resolves from there), one per run. */
const generatedConfig = (environment: string) =>
  join(
    PROJECT_ROOT,
    `worker/data-plane/.deploy-${environment || "top-level"}-${process.pid}.wrangler.json`,
  );
/** The id worker/data-plane/wrangler.toml carries until this script writes the real one. */
export const PLACEHOLDER_ID = "set-by-npm-run-deploy-data-plane";

interface KvBinding {
  binding: string;
  id?: string;
}

interface RawWorker {
  name?: string;
  kv_namespaces?: KvBinding[];
  durable_objects?: { bindings?: { name: string; script_name?: string }[] };
  services?: { binding: string; service: string }[];
  env?: Record<string, RawWorker>;
}

class DeployRefused extends Error {}

/**
 * `--env X`, `--env=X`, `-e X`, `-e=X`, once; the top level when absent or empty. The rest goes to
 * wrangler, which must not get another environment or config of its own.
 */
export function splitEnvironment(args: string[]): { environment: string; rest: string[] } {
  const rest: string[] = [];
  let environment: string | undefined;
  const set = (value: string | undefined) => {
    if (value === undefined)
      throw new DeployRefused("--env needs a value (--env= for the top level)");
    if (environment !== undefined) throw new DeployRefused("--env given twice");
    environment = value;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--env" || arg === "-e") set(args[++i]);
    else if (arg.startsWith("--env=") || arg.startsWith("-e="))
      set(arg.slice(arg.indexOf("=") + 1));
    else if (arg === "-c" || arg === "--config" || arg.startsWith("--config="))
      throw new DeployRefused(`${arg}: the data plane's config is worker/data-plane/wrangler.toml`);
    else rest.push(arg);
  }
  return { environment: environment ?? "", rest };
}

function readRaw(path: string): RawWorker {
  return experimental_readRawConfig({ config: path }, { hideWarnings: true })
    .rawConfig as RawWorker;
}

/** The environment's section (bindings are not inherited) and where it is written. */
function section(
  config: RawWorker,
  environment: string,
  file: string,
): { worker: RawWorker; at: string } {
  if (environment === "") return { worker: config, at: "" };
  const worker = config.env?.[environment];
  if (!worker) throw new DeployRefused(`${file} has no [env.${environment}]`);
  return { worker, at: `env.${environment}.` };
}

/**
 * The data plane's config for `environment` with the control plane's ROUTES namespace id, checked
 * against the control plane it binds to.
 */
export function dataPlaneConfigFor(
  controlPlane: RawWorker,
  dataPlane: RawWorker,
  environment: string,
  controlPlanePath = "wrangler.toml",
): RawWorker {
  const control = section(controlPlane, environment, controlPlanePath);
  const id = control.worker.kv_namespaces?.find((kv) => kv.binding === "ROUTES")?.id;
  if (!id)
    throw new DeployRefused(
      `${controlPlanePath} pins no id for ROUTES under [[${control.at}kv_namespaces]]: deploy the ` +
        `control plane first, then set the id that \`npx wrangler kv namespace list\` shows for its ` +
        `routes namespace there (docs/deploy.md, section 3), so that both Workers read one namespace`,
    );
  const generated = structuredClone(dataPlane);
  const plane = section(generated, environment, "worker/data-plane/wrangler.toml");
  const routes = plane.worker.kv_namespaces?.find((kv) => kv.binding === "ROUTES");
  if (!routes)
    throw new DeployRefused(
      `worker/data-plane/wrangler.toml has no ROUTES under [[${plane.at}kv_namespaces]]`,
    );
  if (routes.id !== undefined && routes.id !== PLACEHOLDER_ID && routes.id !== id)
    throw new DeployRefused(
      `worker/data-plane/wrangler.toml binds ROUTES to ${routes.id} under [[${plane.at}kv_namespaces]], ` +
        `the control plane to ${id}: the data plane would route from a table no one publishes`,
    );
  routes.id = id;
  const controlName =
    environment === ""
      ? controlPlane.name
      : (control.worker.name ?? `${controlPlane.name}-${environment}`);
  // Both bindings must be there: without them the data plane can neither count outcomes nor
  // answer the admin hostname's /_keystone/.
  const bound = [
    {
      what: "STATS's script_name",
      name: plane.worker.durable_objects?.bindings?.find((b) => b.name === "STATS")?.script_name,
    },
    {
      what: "CONTROL_PLANE's service",
      name: plane.worker.services?.find((s) => s.binding === "CONTROL_PLANE")?.service,
    },
  ];
  for (const { what, name } of bound)
    if (name !== controlName)
      throw new DeployRefused(
        `worker/data-plane/wrangler.toml: ${what} under ${plane.at || "the top level"} is "${name}", ` +
          `but the control plane Worker of this environment is "${controlName}"`,
      );
  return generated;
}

function main(argv: string[]): number {
  let environment: string;
  let rest: string[];
  let config: RawWorker;
  try {
    ({ environment, rest } = splitEnvironment(argv));
    // --control-plane <path>: another control plane config (the tests give one with a pinned id).
    const at = rest.indexOf("--control-plane");
    const controlPlanePath = at >= 0 ? rest.splice(at, 2)[1]! : join(PROJECT_ROOT, "wrangler.toml");
    config = dataPlaneConfigFor(
      readRaw(controlPlanePath),
      readRaw(DATA_PLANE_CONFIG),
      environment,
      controlPlanePath,
    );
  } catch (error) {
    if (!(error instanceof DeployRefused)) throw error;
    process.stderr.write(`deploy:data-plane: ${error.message}\n`);
    return 2;
  }
  const generated = generatedConfig(environment);
  writeFileSync(generated, `${JSON.stringify(config, null, 2)}\n`);
  try {
    const run = spawnSync(
      process.execPath,
      [
        join(PROJECT_ROOT, "node_modules/wrangler/bin/wrangler.js"),
        "deploy",
        "-c",
        generated,
        `--env=${environment}`,
        ...rest,
      ],
      { cwd: PROJECT_ROOT, stdio: "inherit" },
    );
    if (run.error) process.stderr.write(`deploy:data-plane: wrangler did not run: ${run.error}\n`);
    else if (run.status === null)
      process.stderr.write(`deploy:data-plane: wrangler ended by ${run.signal}\n`);
    return run.status ?? 1;
  } finally {
    rmSync(generated, { force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  process.exitCode = main(process.argv.slice(2));
