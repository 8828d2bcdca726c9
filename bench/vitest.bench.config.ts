// Microbenchmarks of the pure core, in plain Node (npm run bench runs them).
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: new URL("..", import.meta.url).pathname,
  test: { environment: "node", benchmark: { include: ["worker/**/*.bench.ts"] } },
});
