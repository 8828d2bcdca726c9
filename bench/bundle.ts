// npm run bench:bundle: the Worker as `npm run deploy` ships it (the deploy script's wrangler
// command, wrangler.toml's minify), its size minified and gzipped, and its largest parts; then the
// request path alone (bench/workers/request-path.ts: the data plane as a Worker of its own).
import { bundleEntry, bundleKeystone, type WorkerBundle } from "./lib/bundle.ts";

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function print(what: string, bundle: Omit<WorkerBundle, "sourceMap">): void {
  console.log(
    `${what}: ${kb(bundle.minifiedBytes)} (${bundle.minifiedBytes} bytes) minified, ${kb(bundle.gzippedBytes)} gzipped`,
  );
  for (const { input, bytes } of bundle.largestInputs.slice(0, 12))
    console.log(`  ${kb(bytes).padStart(9)}  ${input}`);
}

print("the Worker as npm run deploy ships it", bundleKeystone());
print(
  "the request path alone (bench/workers/request-path.ts)",
  await bundleEntry("bench/workers/request-path.ts"),
);
