// Debian's headless Chromium (never a downloaded browser), started with fixed flags and a fresh
// profile, driven by playwright-core over the DevTools protocol: for `npm run screenshots` and the
// browser tests.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { stopProcessGroup } from "./stack.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--remote-debugging-address=127.0.0.1",
  "--remote-debugging-port=0",
];

export interface HeadlessChromium {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<HeadlessChromium> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  const profile = mkdtempSync(join(tmpdir(), "keystone-chromium-"));
  const child: ChildProcess = spawn(
    CHROMIUM,
    [...FLAGS, `--user-data-dir=${profile}`, "about:blank"],
    {
      detached: true,
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  // Chromium writes the port it picked into the profile once DevTools listens.
  const portFile = join(profile, "DevToolsActivePort");
  const deadline = Date.now() + 30_000;
  while (!existsSync(portFile) || readFileSync(portFile, "utf8").split("\n").length < 2) {
    if (child.exitCode !== null) throw new Error(`chromium exited: ${log}`);
    if (Date.now() > deadline) throw new Error(`chromium did not open DevTools: ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const port = readFileSync(portFile, "utf8").split("\n")[0];
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
  return {
    browser,
    async close() {
      await browser.close().catch(() => {});
      await stopProcessGroup(child);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
