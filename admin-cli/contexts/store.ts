// Where contexts live: $KEYSTONE_CONFIG_DIR, else $XDG_CONFIG_HOME/keystone, else
// ~/.config/keystone; one JSON file, checked on every read and replaced whole on every write.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { ContextsFile } from "../../schemas/cli-contexts.ts";
import { formatPath } from "../../schemas/problems.ts";
import { CliError, EXIT } from "../errors.ts";

type Env = Record<string, string | undefined>;

export function configDir(env: Env): string {
  if (env.KEYSTONE_CONFIG_DIR) return env.KEYSTONE_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return join(base, "keystone");
}

export function contextsPath(env: Env): string {
  return join(configDir(env), "contexts.json");
}

/** The stored contexts; none yet when the file does not exist. A damaged file is an error. */
export function readContexts(env: Env): ContextsFile {
  const path = contextsPath(env);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return ContextsFile.parse({});
    throw new CliError(EXIT.error, `cannot read ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(EXIT.error, `${path} is not valid JSON: fix or remove it`);
  }
  const parsed = ContextsFile.safeParse(json);
  if (!parsed.success)
    throw new CliError(
      EXIT.error,
      `${path} is not a keystone contexts file: fix or remove it`,
      parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`),
    );
  return parsed.data;
}

/** Writes a temporary file and renames it over the old one: a crash never leaves half a file. */
export function writeContexts(env: Env, file: ContextsFile): string {
  const dir = configDir(env);
  const path = contextsPath(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(ContextsFile.parse(file), null, 2)}\n`, {
    mode: 0o600,
  });
  renameSync(temporary, path);
  return path;
}
