// Builds what the benchmark runs: Keystone as `npm run deploy` ships it (the deploy script's own
// wrangler command and wrangler.toml, which sets minify), and small esbuild bundles of Keystone's
// own modules (minified the same way) for stages and microbenchmarks.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { type BuildOptions, build } from "esbuild";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Build folders of this process, removed when it exits. */
const built: string[] = [];
process.on("exit", () => {
  for (const dir of built) rmSync(dir, { recursive: true, force: true });
});

export function buildFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  built.push(dir);
  return dir;
}

/**
 * The repository at `revision`, exported beside this checkout with its node_modules linked (to be
 * built with `bundleKeystone`: bench:compare's "before", the upgrade test's release before). A
 * revision this clone lacks (a shallow clone, as CI checkouts often are) is an error that says
 * how to get it, not a silent skip.
 */
export function exportRevision(revision: string): string {
  try {
    execFileSync("git", ["cat-file", "-e", `${revision}^{commit}`], { cwd: ROOT, stdio: "ignore" });
  } catch {
    throw new Error(
      `git revision ${revision} is not in this clone (a shallow clone?): fetch the full history ` +
        "with `git fetch --unshallow` (on CI, check out with full history: fetch-depth: 0)",
    );
  }
  const dir = buildFolder("keystone-base-");
  const archive = execFileSync("git", ["archive", "--format=tar", revision], {
    cwd: ROOT,
    maxBuffer: 1 << 30,
  });
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return dir;
}

export interface WorkerBundle {
  /** The bundled Worker's entry module. */
  script: string;
  /** Its source map (for the CPU profile). */
  sourceMap: string;
  minifiedBytes: number;
  gzippedBytes: number;
  /** Bytes of the output per input package or folder, largest first. */
  largestInputs: { input: string; bytes: number }[];
}

/**
 * The wrangler arguments of `npm run deploy` (package.json's deploy script), so the benchmark
 * builds exactly what ships: the same command, the same wrangler.toml.
 */
export function deployArguments(root = ROOT): string[] {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    scripts?: Record<string, string>;
  };
  const [command, ...args] = (pkg.scripts?.deploy ?? "").trim().split(/\s+/);
  if (command !== "wrangler" || args[0] !== "deploy")
    throw new Error(
      `package.json's deploy script is "${pkg.scripts?.deploy}": the benchmark expects "wrangler deploy …" to build what it ships`,
    );
  return args;
}

/**
 * Runs the deploy script's `wrangler deploy` with `--dry-run --outdir` in `root` (this checkout, or
 * an older revision exported beside it: bench:compare) and reads what it built. `extra` adds
 * arguments (bench:compare gives both sides `--minify`, as revisions before wrangler.toml set it
 * shipped unminified).
 */
export function bundleKeystone(root = ROOT, extra: string[] = []): WorkerBundle {
  return wranglerBuild(root, [...deployArguments(root), ...extra]);
}

/** The data plane Worker's config (the data plane as a Worker of its own). */
export const DATA_PLANE_CONFIG = "worker/data-plane/wrangler.toml";

/**
 * The data plane Worker as `npm run deploy:data-plane` builds it: `wrangler deploy` with its own
 * config, top-level environment (the deploy script only fills in the KV namespace's id).
 */
export function bundleDataPlane(root = ROOT): WorkerBundle {
  return wranglerBuild(root, ["deploy", "-c", DATA_PLANE_CONFIG, "--env="]);
}

function wranglerBuild(root: string, args: string[]): WorkerBundle {
  const out = buildFolder("keystone-bundle-");
  execFileSync(
    process.execPath,
    [
      join(ROOT, "node_modules/wrangler/bin/wrangler.js"),
      ...args,
      // A dry run with --outdir writes the source map beside the script; the script is the same.
      "--dry-run",
      "--outdir",
      out,
      "--metafile",
      join(out, "meta.json"),
    ],
    { cwd: root, stdio: "ignore", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  const script = join(out, "index.js");
  return {
    script,
    sourceMap: `${script}.map`,
    minifiedBytes: statSync(script).size,
    gzippedBytes: gzipSync(readFileSync(script)).length,
    largestInputs: largestInputs(JSON.parse(readFileSync(join(out, "meta.json"), "utf8"))),
  };
}

/** esbuild as wrangler runs it for a Worker (workerd conditions), minified, with a metafile. */
const asWranglerBundles: BuildOptions = {
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2024",
  platform: "neutral",
  conditions: ["workerd", "worker", "browser"],
  mainFields: ["browser", "module", "main"],
  external: ["node:*", "cloudflare:*"],
  metafile: true,
  logLevel: "error",
};

/**
 * One entry bundled and minified as wrangler bundles a Worker (esbuild, workerd conditions), its
 * size and largest parts: what a Worker of that entry alone would ship.
 */
export async function bundleEntry(entry: string): Promise<Omit<WorkerBundle, "sourceMap">> {
  const outdir = buildFolder("keystone-entry-");
  const { metafile } = await build({
    ...asWranglerBundles,
    entryPoints: [join(ROOT, entry)],
    outdir,
  });
  if (!metafile) throw new Error(`esbuild wrote no metafile for ${entry}`);
  const [script] = Object.keys(metafile.outputs).filter((name) => name.endsWith(".js"));
  const path = join(ROOT, script!);
  return {
    script: path,
    minifiedBytes: statSync(path).size,
    gzippedBytes: gzipSync(readFileSync(path)).length,
    largestInputs: largestInputs(metafile),
  };
}

/**
 * What a fresh isolate of an entry evaluates before its first request: the entry bundled as
 * wrangler bundles it but split at each `import()` (esbuild's code splitting), so the modules
 * reached only through an `import()` leave the entry's chunk. Wrangler itself bundles one file,
 * where such a module is in the script but its top level runs on its first import (esbuild wraps
 * it in a lazy initializer): the split shows which modules those are. Bytes per input package or
 * folder, largest first.
 */
export async function startupInputs(entry: string): Promise<{ input: string; bytes: number }[]> {
  const outdir = buildFolder("keystone-startup-");
  const { metafile } = await build({
    ...asWranglerBundles,
    entryPoints: [join(ROOT, entry)],
    outdir,
    splitting: true,
  });
  if (!metafile) throw new Error(`esbuild wrote no metafile for ${entry}`);
  // The entry's chunk and the chunks it imports statically (shared code), not those it imports().
  // Paths in the metafile are relative to the working directory; the dynamic imports' chunks
  // name their own entry points.
  const entryPoint = relative(process.cwd(), join(ROOT, entry));
  const start = Object.keys(metafile.outputs).find(
    (name) => metafile.outputs[name]!.entryPoint === entryPoint,
  );
  if (!start) throw new Error(`the split bundle has no chunk for ${entry}`);
  const eager = new Set<string>();
  const visit = (name: string) => {
    if (eager.has(name)) return;
    eager.add(name);
    for (const imported of metafile.outputs[name]!.imports)
      if (imported.kind === "import-statement" && !imported.external) visit(imported.path);
  };
  visit(start);
  const outputs = Object.fromEntries([...eager].map((name) => [name, metafile.outputs[name]!]));
  return largestInputs({ outputs });
}

interface Metafile {
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
}

/** Output bytes grouped by package (node_modules/<name>) or by the project's top folder. */
function largestInputs(meta: Metafile): { input: string; bytes: number }[] {
  const bytes = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
      const group = pkg ?? input.split("/").slice(0, 2).join("/");
      bytes.set(group, (bytes.get(group) ?? 0) + bytesInOutput);
    }
  }
  return [...bytes].map(([input, n]) => ({ input, bytes: n })).sort((a, b) => b.bytes - a.bytes);
}

/**
 * Bundles entry points (paths relative to the repository) into one folder, minified as wrangler
 * would, for workerd (`conditions: workerd`) or Node; returns the folder.
 */
export async function bundleEntries(
  entries: Record<string, string>,
  platform: "workerd" | "node",
): Promise<string> {
  const outdir = buildFolder("keystone-bench-");
  await build({
    entryPoints: Object.fromEntries(
      Object.entries(entries).map(([name, path]) => [name, join(ROOT, path)]),
    ),
    outdir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2024",
    platform: platform === "node" ? "node" : "neutral",
    conditions: platform === "node" ? [] : ["workerd", "worker", "browser"],
    // As wrangler resolves packages (the neutral platform reads no main field by itself).
    ...(platform === "node" ? {} : { mainFields: ["browser", "module", "main"] }),
    external: platform === "node" ? [] : ["node:*", "cloudflare:*"],
    logLevel: "error",
  });
  return outdir;
}
