// Three layers: the pure core in Node, the Worker inside workerd, end to end over real HTTP.
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import type { RuntimeOrigins } from "./test/support/runtime-origins.ts";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          // npm run test:unit, the quick loop: the pure core, schemas, the CLI in process (main(argv)
          // against a fake admin API), the repository's own checks. No Worker, no stack.
          name: "unit",
          environment: "node",
          include: [
            "worker/**/*.test.ts",
            "schemas/**/*.test.ts",
            "admin-cli/**/*.test.ts",
            "test/unit/**/*.test.ts",
          ],
          // Files share each worker's modules instead of importing everything again per file (half
          // the loop's time): no test here mocks a module or needs a fresh one (they pass shuffled).
          isolate: false,
          // A guard against hangs, not a speed check: property tests take seconds on a busy machine.
          testTimeout: 30_000,
        },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => {
            const origins = inject<RuntimeOrigins>("origins");
            const metricProvider = inject<string>("metricProvider");
            return {
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  STABLE_ORIGIN: origins.stable,
                  CANARY_ORIGIN: origins.canary,
                  REFUSED_ORIGIN: origins.refused,
                  FAULTY_ORIGIN: origins.faulty,
                  SLOW_ORIGIN: origins.slow,
                  ONE_PERCENT_ORIGIN: origins.onePercent,
                  FOUR_PERCENT_ORIGIN: origins.fourPercent,
                  REPRICED_ORIGIN: origins.repriced,
                  DEAF_ORIGIN: origins.deaf,
                  METRIC_PROVIDER: metricProvider,
                  // Secrets analysis metrics name (test/support/metric-provider-server.ts).
                  METRICS_PROM_TOKEN: "test-prom-token",
                  METRICS_DD_API: "test-dd-api",
                  METRICS_DD_APP: "test-dd-app",
                  DEPLOY_WEBHOOK_SECRET: "test-webhook-secret",
                  NOTIFY_SECRET: "test-notify-secret",
                  // Pinned so a developer's .dev.vars (which the plugin also reads, and npm start
                  // writes with a 2 s tick) cannot change results: every key it may hold is here.
                  ROUTE_REFRESH_SECONDS: "30",
                  // Production's default tick (a minute), which the alarm tests count in.
                  ROLLOUT_TICK_SECONDS: "60",
                  // Flush with every request: a test's sends (each awaited with its waitUntil work)
                  // never sit out a flush deadline. Deadline tests pass their own policy.
                  METRICS_FLUSH_SECONDS: "0",
                  ADMIN_HOSTS: "*",
                  OVERRIDE_SECRET: "test-override-secret",
                  AFFINITY_SECRET: "test-affinity-secret",
                  BUCKET_SECRET: "test-bucket-secret",
                  ADMIN_TOKEN: "test-admin-token",
                  READ_TOKEN: "test-read-token",
                },
              },
            };
          }),
        ],
        test: {
          // npm run test:workerd: the Worker inside workerd.
          name: "runtime",
          include: ["test/runtime/**/*.test.ts", "test/faults/**/*.test.ts"],
          globalSetup: [
            "./test/support/runtime-origins.ts",
            "./test/support/metric-provider-server.ts",
          ],
          // A guard against hangs, not a speed check (CI machines and busy laptops are slow).
          testTimeout: 30_000,
        },
      },
      {
        test: {
          // npm run test:e2e: wrangler dev in front of real origins, driven by the real CLI. The
          // GitHub Action and the GitLab template executed (test/pipelines/) run here too.
          name: "e2e",
          environment: "node",
          include: ["test/e2e/**/*.test.ts", "test/pipelines/**/*.test.ts"],
          // One Worker for every file that needs none of its own, each file under a host of its
          // own (test/support/e2e-stack.ts), which this process's fetch resolves.
          globalSetup: ["./test/support/shared-stack.ts"],
          setupFiles: ["./test/support/localhost-names.ts"],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          // One file at a time: the cron is the shared Worker's (a tick moves every file's
          // rollouts), and one local stack at a time keeps two cores from timing out the others' waits.
          fileParallelism: false,
        },
      },
    ],
  },
});
