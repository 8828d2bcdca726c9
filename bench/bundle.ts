// npm run bench:bundle: the Worker as `npm run deploy` ships it (the deploy script's wrangler
// command, wrangler.toml's minify), its size minified and gzipped, and its largest parts; then the
// data plane Worker as `npm run deploy:data-plane` ships it (worker/data-plane/wrangler.toml); then
// what a fresh isolate of each evaluates before its first request (the modules not reached only
// through an `import()`: RE2, the admin API, the objects' logic and the cron load on first use).
import { bundleDataPlane, bundleKeystone, startupInputs, type WorkerBundle } from "./lib/bundle.ts";

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function printParts(parts: { input: string; bytes: number }[]): void {
  for (const { input, bytes } of parts.slice(0, 12))
    console.log(`  ${kb(bytes).padStart(9)}  ${input}`);
}

function print(what: string, bundle: Omit<WorkerBundle, "sourceMap">): void {
  console.log(
    `${what}: ${kb(bundle.minifiedBytes)} (${bundle.minifiedBytes} bytes) minified, ${kb(bundle.gzippedBytes)} gzipped`,
  );
  printParts(bundle.largestInputs);
}

async function printStartup(what: string, entry: string): Promise<void> {
  const parts = await startupInputs(entry);
  const bytes = parts.reduce((sum, part) => sum + part.bytes, 0);
  console.log(`${what}, evaluated at startup: ${kb(bytes)} (${bytes} bytes) minified`);
  printParts(parts);
}

print("the Worker as npm run deploy ships it", bundleKeystone());
print("the data plane Worker (worker/data-plane/wrangler.toml)", bundleDataPlane());
await printStartup("the Worker (worker/index.ts)", "worker/index.ts");
await printStartup("the data plane Worker", "worker/data-plane/index.ts");
