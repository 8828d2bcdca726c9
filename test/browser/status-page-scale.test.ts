// The status page with a few hundred services, in real headless Chromium: the page reads every
// service's objects, so it takes seconds to load at that size. With a fixed 5 s refresh the
// browser was reloading nearly all the time (and the Worker building the page back to back);
// the refresh now waits for several times what the build took (worker/ui/pages/layout.tsx).
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type HeadlessChromium, launchChromium } from "../../scripts/chromium.ts";
import { type E2eStack, startE2eStack } from "../support/e2e-stack.ts";

const SERVICES = 300;
const PER_FILE = 100;

let stack: E2eStack;
let chromium: HeadlessChromium;
let page: Page;

function fleetFile(from: number, to: number): string {
  const services = [];
  for (let i = from; i < to; i++) {
    const name = `scale-${String(i).padStart(3, "0")}`;
    services.push({
      name,
      hosts: [`${name}.scale.localhost`],
      versions: {
        stable: { origin: stack.origins.stable.url, release: "v1.0.0" },
        canary: { origin: stack.origins.canary.url, release: "v1.1.0" },
      },
      baseline: "stable",
      split: { stable: 90, canary: 10 },
      rollout: {
        strategy: "canary",
        candidate: "canary",
        steps: [{ weight: 10, bake: "1h" }],
        analysis: { minRequests: 20, maxErrorRatePercent: 5, maxP95Ms: 800 },
      },
    });
  }
  return stack.writeFile(`fleet-${from}.yaml`, stringify({ services }));
}

/** The page's own refresh (its meta tag), and how long the load of the page shown took. */
async function shown(): Promise<{ refreshSeconds: number; loadSeconds: number; header: string }> {
  const content = await page.locator('meta[http-equiv="refresh"]').getAttribute("content");
  const loadMs = await page.evaluate(() => {
    const [navigation] = performance.getEntriesByType(
      "navigation",
    ) as PerformanceNavigationTiming[];
    return navigation!.loadEventEnd - navigation!.requestStart;
  });
  return {
    refreshSeconds: Number(content),
    loadSeconds: loadMs / 1000,
    header: (await page.locator("header .muted").textContent()) ?? "",
  };
}

beforeAll(async () => {
  stack = await startE2eStack();
  for (let from = 0; from < SERVICES; from += PER_FILE) {
    const applied = await stack.cli(["apply", "-f", fleetFile(from, from + PER_FILE)]);
    expect(applied.code, applied.stderr).toBe(0);
  }
  chromium = await launchChromium();
  page = await chromium.browser.contexts()[0]!.newPage();
}, 240_000);

afterAll(async () => {
  await chromium?.close();
  await stack?.stop();
});

describe("the status page with a few hundred services", () => {
  it("waits between its refreshes at least as long as a load takes, and says how long", async () => {
    await page.goto(`${stack.url}/_keystone/ui`);
    await page.fill('input[type="password"]', stack.secrets.READ_TOKEN);
    await Promise.all([
      page.waitForNavigation({ timeout: 60_000 }),
      page.click('button[type="submit"]'),
    ]);
    expect(await page.locator("section.service").count()).toBe(SERVICES);
    // The first load (objects cold) and two of the page's own refreshes: each waits at least as
    // long as its load, so the page is shown rather than always reloading. The page sets its
    // refresh from its data reads alone (three times them, at least 5 s: layout.test.ts holds the
    // rule); a load here also holds the server's rendering and the browser's, which a busy
    // machine slows: a margin of one load, not three, keeps this from failing on load alone.
    for (let load = 0; load < 3; load++) {
      await page.waitForLoadState("load");
      const { refreshSeconds, loadSeconds, header } = await shown();
      expect(header).toContain(`${SERVICES} service(s)`);
      expect(header).toContain(`refreshes every ${refreshSeconds} s`);
      expect(
        refreshSeconds,
        `load ${load + 1} took ${loadSeconds.toFixed(2)} s, refresh ${refreshSeconds} s`,
      ).toBeGreaterThanOrEqual(loadSeconds);
      if (load < 2) await page.waitForEvent("load", { timeout: (refreshSeconds + 60) * 1000 });
    }
  });
});
