// npm run screenshots: the pictures in the README and docs/, taken in real headless Chromium
// (Debian's, see chromium.ts) from `npm run demo`'s stack and story, so they show the product as
// it is and are made again rather than edited. Writes, in docs/img (or --out DIR):
//   rollout.png      the demo service during its healthy canary rollout (step 2 of 2)
//   incident.png     the page of the faulty canary's incident
//   status-page.png  the whole status page once the demo is over
import { mkdirSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import type { Page } from "playwright-core";
import type { Io } from "../admin-cli/io.ts";
import { type HeadlessChromium, launchChromium } from "./chromium.ts";
import { DemoStack } from "./demo-stack.ts";
import { PROJECT_ROOT } from "./stack.ts";

/** The keystone commands the demo runs write nothing here: this script says what it made. */
const QUIET: Io = {
  stdout: () => {},
  stderr: (text) => process.stderr.write(text),
  env: { ...process.env, NO_COLOR: "1" },
  cwd: process.cwd(),
  isTty: false,
};
const MAX_ROUNDS = 20;

class Photographer {
  readonly #demo: DemoStack;
  readonly #page: Page;
  readonly #out: string;

  constructor(demo: DemoStack, page: Page, out: string) {
    this.#demo = demo;
    this.#page = page;
    this.#out = out;
  }

  async signIn(): Promise<void> {
    await this.#page.goto(`${this.#demo.url}/_keystone/ui`);
    await this.#page.fill('input[type="password"]', this.#demo.secrets.READ_TOKEN);
    await Promise.all([this.#page.waitForNavigation(), this.#page.click('button[type="submit"]')]);
  }

  async rolloutInProgress(): Promise<void> {
    await this.#page.goto(`${this.#demo.url}/_keystone/ui`);
    const service = this.#page.locator('[data-service="demo"]');
    const rollout = (await service.locator(".rollout p").first().textContent()) ?? "";
    if (!rollout.startsWith("progressing"))
      throw new Error(`the demo's rollout is not in progress on the page: "${rollout}"`);
    await service.screenshot({ path: this.#path("rollout.png") });
    this.#wrote("rollout.png", `the demo service mid-rollout: ${squeeze(rollout)}`);
  }

  async incident(id: string): Promise<void> {
    await this.#page.goto(`${this.#demo.url}/_keystone/ui/services/demo/incidents/${id}`);
    const title = (await this.#page.locator("h1").textContent()) ?? "";
    await this.#page.screenshot({ path: this.#path("incident.png"), fullPage: true });
    this.#wrote("incident.png", squeeze(title));
  }

  async statusPage(): Promise<void> {
    await this.#page.goto(`${this.#demo.url}/_keystone/ui`);
    const rollout =
      (await this.#page.locator('[data-service="demo"] .rollout p').first().textContent()) ?? "";
    const incidents = await this.#page.locator('[data-service="demo"] [data-incident]').count();
    await this.#page.screenshot({ path: this.#path("status-page.png"), fullPage: true });
    this.#wrote(
      "status-page.png",
      `the status page after the demo: ${squeeze(rollout)}; ${incidents} incident(s)`,
    );
  }

  #path(name: string): string {
    return join(this.#out, name);
  }

  #wrote(name: string, what: string): void {
    const path = this.#path(name);
    const shown = relative(process.cwd(), path);
    console.log(`wrote ${shown.startsWith("..") ? path : shown}: ${what}`);
  }
}

const squeeze = (text: string) => text.replace(/\s+/g, " ").trim();

/** Rounds of traffic and cron until the rollout ends; its final phase. */
async function finish(demo: DemoStack): Promise<string> {
  for (let round = 0; round < MAX_ROUNDS && !(await demo.ended()); round++) await demo.round();
  return demo.phase();
}

function outDir(): string {
  try {
    const { values } = parseArgs({ options: { out: { type: "string" } } });
    return values.out ?? join(PROJECT_ROOT, "docs/img");
  } catch (error) {
    throw new Error(`${(error as Error).message}; usage: npm run screenshots -- [--out DIR]`);
  }
}

let chromium: HeadlessChromium | undefined;
let demo: DemoStack | undefined;
try {
  const out = outDir();
  mkdirSync(out, { recursive: true });
  chromium = await launchChromium();
  const page = await chromium.browser.contexts()[0]!.newPage();
  await page.setViewportSize({ width: 1200, height: 800 });
  console.log("starting the demo stack (wrangler dev, local KV and Durable Objects)…");
  demo = await DemoStack.start(QUIET);
  const photographer = new Photographer(demo, page, out);

  await demo.apply();
  await photographer.signIn();
  await demo.startHealthyCanary();
  await demo.round();
  await photographer.rolloutInProgress();
  const healthy = await finish(demo);
  if (healthy !== "promoted") throw new Error(`the healthy canary ended ${healthy}, not promoted`);

  await demo.startFaultyCanary();
  const faulty = await finish(demo);
  const incident = await demo.lastIncident();
  if (faulty !== "rolledBack" || !incident)
    throw new Error(`the faulty canary ended ${faulty}, not rolled back with an incident`);
  await photographer.incident(incident);
  await photographer.statusPage();
} catch (error) {
  console.error(`npm run screenshots: ${(error as Error).message.split("\n")[0]}`);
  process.exitCode = 1;
} finally {
  await demo?.stop();
  await chromium?.close();
}
