// Global flags: accepted in any position (`keystone --json get` = `keystone get --json`), as
// `--flag value` or `--flag=value`, read as the command line is (command-line.ts).
import { UsageError } from "./errors.ts";

export const DEFAULT_URL = "http://127.0.0.1:8787";

interface GlobalFlagSpec {
  /** Takes a value (`--url U`), or is a switch (`--json`). */
  value: boolean;
  hint?: string;
  description: string;
}

/** Every global flag, as help lists them. */
export const GLOBAL_FLAGS = {
  url: {
    value: true,
    hint: "url",
    description: `admin API URL (env KEYSTONE_URL; default ${DEFAULT_URL})`,
  },
  token: {
    value: true,
    hint: "token",
    description: "bearer token (env KEYSTONE_TOKEN; for a local URL read from .dev.vars)",
  },
  json: { value: false, description: "machine output only: JSON on stdout, errors included" },
  "no-color": { value: false, description: "no colour (also when piped, or with NO_COLOR set)" },
  context: {
    value: true,
    hint: "name",
    description: "a named context: its URL, token variable and environment (keystone context)",
  },
} satisfies Record<string, GlobalFlagSpec>;

export interface GlobalFlags {
  url?: string;
  token?: string;
  json: boolean;
  noColor: boolean;
  context?: string;
}

/**
 * Reads the global flag at argv[i], if it is one, into `globals`: how many words it took (0 when
 * argv[i] is not a global flag). `--flag value` and `--flag=value` both work.
 */
export function readGlobal(argv: readonly string[], i: number, globals: GlobalFlags): number {
  const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(argv[i]!);
  const name = match?.[1];
  const spec: GlobalFlagSpec | undefined =
    name && Object.hasOwn(GLOBAL_FLAGS, name)
      ? GLOBAL_FLAGS[name as keyof typeof GLOBAL_FLAGS]
      : undefined;
  if (!match || !spec) return 0;
  let value = match[2];
  let taken = 1;
  if (spec.value && value === undefined) {
    value = argv[i + 1];
    if (value === undefined || value.startsWith("--"))
      throw new UsageError(`--${name} needs a value: --${name} <${spec.hint}>`);
    taken = 2;
  }
  // `--token "$KEYSTONE_TOKEN"` with the variable unset: said as such, not sent as no token and
  // answered "missing bearer token … the token from --token was refused".
  if (spec.value && value === "")
    throw new UsageError(
      `--${name} is empty${name === "token" ? " (an unset variable?)" : ""}: --${name} <${spec.hint}>`,
    );
  if (name === "url") globals.url = value!;
  else if (name === "token") globals.token = value!;
  else if (name === "json") globals.json = switchValue(`--${name}`, value);
  else if (name === "no-color") globals.noColor = switchValue(`--${name}`, value);
  else if (name === "context") globals.context = value!;
  return taken;
}

/**
 * A switch as `--flag` or `--flag=value` (docs/cli.md): on, or `true`/`false` after "="; any
 * other value is a usage error rather than read as on.
 */
export function switchValue(flag: string, inline: string | undefined): boolean {
  if (inline === undefined || inline === "true") return true;
  if (inline === "false") return false;
  throw new UsageError(
    `${flag} is a switch: ${flag}, or ${flag}=true / ${flag}=false (got ${flag}=${inline})`,
  );
}

/** The admin API URL from --url, else KEYSTONE_URL, else the local default; a bad one is usage. */
export function resolveUrl(flag: string | undefined, env: Record<string, string | undefined>) {
  const source = flag !== undefined ? "--url" : env.KEYSTONE_URL ? "KEYSTONE_URL" : undefined;
  const text = flag ?? (env.KEYSTONE_URL || DEFAULT_URL);
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    const guess = /^[\w.-]+(:\d+)?(\/.*)?$/.test(text) ? `, like http://${text}` : "";
    throw new UsageError(
      `${source ?? "the URL"} "${text}" is not an http(s) URL: give the scheme${guess}`,
    );
  }
  return text;
}
