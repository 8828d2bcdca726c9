// `npm install` runs only the install scripts package.json approves (allowScripts): npm 11 warns
// about every other one, and npm 12 skips it, which would leave the project without the Node 22
// that the `node` package brings or without workerd's binary. A dependency that gains an install
// script fails here until someone reviews it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../scripts/stack.ts";

const read = (name: string) => JSON.parse(readFileSync(join(PROJECT_ROOT, name), "utf8"));

describe("install scripts", () => {
  it("every package in the lock file with an install script is approved in allowScripts", () => {
    const lock = read("package-lock.json") as {
      packages: Record<string, { hasInstallScript?: boolean }>;
    };
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length));
    expect(withScripts).toContain("node");
    const allowed = (read("package.json") as { allowScripts?: Record<string, boolean> })
      .allowScripts;
    expect([...new Set(withScripts)].filter((name) => allowed?.[name] !== true)).toEqual([]);
  });
});
