import { build } from "esbuild";
await build({ entryPoints: { wm: process.argv[2] }, outdir: process.argv[3], outExtension: { ".js": ".mjs" }, bundle: true, minify: true, format: "esm", target: "es2024", platform: "neutral", conditions: ["workerd", "worker", "browser"], mainFields: ["browser", "module", "main"], external: ["node:*", "cloudflare:*"], logLevel: "error" });
