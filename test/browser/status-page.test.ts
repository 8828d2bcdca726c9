// The status page in real headless Chromium against the local stack: sign-in, a wrong token
// refused, the demo service with its split and a rollout whose bar advances on the page's own
// refresh, stored markup shown as text, the CSP header, an incident's link followed while signed
// out; pictures of each in test/browser/screenshots.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type HeadlessChromium, launchChromium } from "../../scripts/chromium.ts";
import { PROJECT_ROOT } from "../../scripts/stack.ts";
import { type E2eStack, startE2eStack } from "../support/e2e-stack.ts";
import { burst, localCanaryConfig } from "../support/local-traffic.ts";

/** Pictures of what the tests saw (git-ignored); the docs' own come from `npm run screenshots`. */
const SCREENSHOTS = join(PROJECT_ROOT, "test/browser/screenshots");
const HOSTILE = "<script>window.__pwned=1</script>";

let stack: E2eStack;
let chromium: HeadlessChromium;
let page: Page;

const demo = () =>
  localCanaryConfig(
    "demo",
    { stable: stack.origins.stable.url, canary: stack.origins.canary.url },
    {
      releases: ["v1.0.0", `v1.1.0${HOSTILE}`],
      split: { stable: 100, canary: 0 },
      // Bakes far longer than the test: the rollout ticks itself every 2 s locally, so only the
      // operator's promote moves it, when the test says.
      steps: [
        { weight: 10, bake: "1h" },
        { weight: 30, bake: "1h" },
        { pause: true },
        { weight: 60, bake: "1h" },
      ],
      analysis: { minRequests: 5, maxErrorRatePercent: 5, maxP95Ms: 1500, failureLimit: 0 },
    },
  );

async function stepShown(): Promise<string | null> {
  return page.locator('[data-service="demo"] [role="progressbar"]').getAttribute("data-step");
}

/** The rollout's step (1-based), as the API says. */
async function rolloutStep(): Promise<number> {
  const response = await fetch(`${stack.url}/_keystone/v1/services/demo/rollout`, {
    headers: { authorization: `Bearer ${stack.secrets.READ_TOKEN}` },
  });
  return ((await response.json()) as { state: { stepIndex: number } }).state.stepIndex + 1;
}

/** Traffic, then the operator passes the current step (`keystone rollout promote`). */
async function passStep(): Promise<void> {
  const from = await rolloutStep();
  await burst(stack.url, 40);
  const promoted = await stack.cli(["rollout", "promote", "demo"]);
  expect(promoted.code, promoted.stderr).toBe(0);
  expect(await rolloutStep()).toBe(from + 1);
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // A Worker of its own: test:browser runs without the e2e project's shared one.
  stack = await startE2eStack();
  const applied = await stack.cli(["apply", "-f", stack.writeFile("demo.yaml", stringify(demo()))]);
  expect(applied.code, applied.stderr).toBe(0);
  const started = await stack.cli(["rollout", "start", "demo", "--reason", `ship it ${HOSTILE}`]);
  expect(started.code, started.stderr).toBe(0);
  await burst(stack.url, 60);
  chromium = await launchChromium();
  page = await chromium.browser.contexts()[0]!.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
}, 240_000);

afterAll(async () => {
  await chromium?.close();
  await stack?.stop();
});

describe("the status page in headless Chromium", () => {
  it("shows the sign-in form to a browser without a session, under a strict CSP", async () => {
    const response = await page.goto(`${stack.url}/_keystone/ui`);
    expect(response?.status()).toBe(200);
    const csp = (await response?.allHeaders())?.["content-security-policy"];
    expect(csp).toContain("default-src 'none'");
    await expect.poll(() => page.locator('input[type="password"]').count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, "sign-in.png") });
  });

  it("refuses a wrong token", async () => {
    await page.fill('input[type="password"]', "not-the-read-token");
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.click('button[type="submit"]'),
    ]);
    expect(response?.status()).toBe(401);
    expect(await page.locator('[role="alert"]').textContent()).toContain(
      "That token is not valid.",
    );
    expect(await page.locator('input[type="password"]').count()).toBe(1);
    expect(page.url()).not.toContain("not-the-read-token");
    await page.screenshot({ path: join(SCREENSHOTS, "wrong-token.png") });
  });

  it("with the read token shows the demo service, its split and its rollout; the bar advances on the next refresh", async () => {
    await page.fill('input[type="password"]', stack.secrets.READ_TOKEN);
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    expect(page.url()).toBe(`${stack.url}/_keystone/ui`);
    const service = page.locator('[data-service="demo"]');
    expect(await service.locator("h2").textContent()).toBe("demo");
    expect(await service.locator(".split").textContent()).toContain("stable 90% · canary 10%");
    expect(await stepShown()).toBe("1");
    // Which release the rollout ships, and when the cron (every 2 s locally) next judges it.
    expect(await service.locator(".rollout .candidate-release").textContent()).toBe(
      `v1.1.0${HOSTILE}`,
    );
    expect(await service.locator(".rollout .next-tick").textContent()).toMatch(
      /^ · next analysis (in \d+ s|due now)$/,
    );
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === "ks_ui_session")).toMatchObject({
      httpOnly: true,
      sameSite: "Strict",
    });

    await passStep();
    // No reload from the test: the page's own refresh brings the new step.
    for (let loads = 0; loads < 3 && (await stepShown()) === "1"; loads++)
      await page.waitForEvent("load", { timeout: 15_000 });
    expect(await stepShown()).toBe("2");
    expect(await service.locator(".split").textContent()).toContain("stable 70% · canary 30%");
  });

  it("fits a phone's width: nothing to scroll sideways, the steps bar scaled to the card", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.reload();
      const widths = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        viewport: document.documentElement.clientWidth,
        section: document.querySelector('[data-service="demo"]')!.getBoundingClientRect().right,
        steps: document.querySelector('[data-service="demo"] svg.steps')!.getBoundingClientRect()
          .right,
      }));
      expect(widths.page).toBeLessThanOrEqual(widths.viewport);
      expect(widths.steps).toBeLessThanOrEqual(widths.section);
      await page.screenshot({ path: join(SCREENSHOTS, "phone.png"), fullPage: true });
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it("shows stored markup as text and runs none of it", async () => {
    const releases = await page.locator('[data-service="demo"] td.release').allTextContents();
    expect(releases).toContain(`v1.1.0${HOSTILE}`);
    expect(await page.locator('[data-service="demo"] td.reason').allTextContents()).toContain(
      `ship it ${HOSTILE}`,
    );
    expect(await page.evaluate(() => document.querySelectorAll("script").length)).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it("paused by an operator, saves a picture of the paused rollout", async () => {
    await burst(stack.url, 80);
    const paused = await stack.cli(["rollout", "pause", "demo", "--reason", "looking at p99"]);
    expect(paused.code, paused.stderr).toBe(0);
    await expect
      .poll(async () => {
        await page.reload();
        return page.locator('[data-service="demo"] .rollout .phase').textContent();
      })
      .toBe("paused");
    // As `keystone rollout status` says it: who paused, and no bake counting down while paused.
    const line = await page.locator('[data-service="demo"] .rollout p').first().textContent();
    expect(line).toContain("paused (operator)");
    expect(line).not.toContain("bake left");
    await page
      .locator('[data-service="demo"]')
      .screenshot({ path: join(SCREENSHOTS, "status-page.png") });
    await page.screenshot({ path: join(SCREENSHOTS, "status-page-full.png"), fullPage: true });
  });

  it("shows the incident of an aborted rollout, and its own page says who aborted and why", async () => {
    const aborted = await stack.cli([
      "rollout",
      "abort",
      "demo",
      "--reason",
      `bad build ${HOSTILE}`,
    ]);
    expect(aborted.code, aborted.stderr).toBe(0);
    await page.reload();
    const incident = page.locator('[data-service="demo"] [data-incident="1"]');
    expect(await incident.textContent()).toContain("Incident 1: aborted");
    await Promise.all([page.waitForNavigation(), incident.locator("a").click()]);
    expect(page.url()).toBe(`${stack.url}/_keystone/ui/services/demo/incidents/1`);
    expect(await page.locator("h1").textContent()).toBe("Incident 1 of demo: rollout aborted");
    expect(await page.locator("td.actor").textContent()).toMatch(/by an operator \(/);
    expect(await page.locator("td.reason").first().textContent()).toBe(`bad build ${HOSTILE}`);
    expect(await page.evaluate(() => document.querySelectorAll("script").length)).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, "incident.png"), fullPage: true });
    await Promise.all([page.waitForNavigation(), page.click("text=All services")]);
  });

  it("signs out", async () => {
    await Promise.all([page.waitForNavigation(), page.click("text=Sign out")]);
    expect(await page.locator('input[type="password"]').count()).toBe(1);
    expect(
      (await page.context().cookies()).find((c) => c.name === "ks_ui_session"),
    ).toBeUndefined();
  });

  it("signed out, an incident's link signs in and returns to the incident, which refreshes itself", async () => {
    const incident = `${stack.url}/_keystone/ui/services/demo/incidents/1`;
    await page.goto(incident);
    expect(await page.locator('input[type="password"]').count()).toBe(1);
    await page.fill('input[type="password"]', stack.secrets.READ_TOKEN);
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    expect(page.url()).toBe(incident);
    expect(await page.locator("h1").textContent()).toBe("Incident 1 of demo: rollout aborted");
    // No reload from the test: the page's own refresh loads it again.
    await page.waitForEvent("load", { timeout: 15_000 });
    expect(page.url()).toBe(incident);
  });
});
