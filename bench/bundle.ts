// npm run bench:bundle: the Worker as `npm run deploy` ships it (the deploy script's wrangler
// command, wrangler.toml's minify), its size minified and gzipped, and its largest parts.
import { bundleKeystone } from "./lib/bundle.ts";

const bundle = bundleKeystone();
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(
  `bundle as npm run deploy ships it: ${kb(bundle.minifiedBytes)} (${bundle.minifiedBytes} bytes), ${kb(bundle.gzippedBytes)} gzipped`,
);
for (const { input, bytes } of bundle.largestInputs.slice(0, 12))
  console.log(`  ${kb(bytes).padStart(9)}  ${input}`);
