// Runs the keystone CLI in process (main(argv)) with captured output and a chosen terminal.
import { main } from "../../admin-cli/main.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Both streams are terminals (default: piped, as in CI). */
  tty?: boolean;
  /** Stands in for Ctrl-C: the CLI's interrupt handler is handed to it. */
  onInterrupt?: (stop: () => void) => () => void;
}

export async function runCli(argv: string[], options: RunOptions = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    // The developer's own contexts (keystone context use) never steer a test.
    env: { KEYSTONE_CONFIG_DIR: "/nonexistent/keystone-config", ...options.env },
    cwd: options.cwd ?? "/",
    isTty: options.tty ?? false,
    errIsTty: options.tty ?? false,
    ...(options.onInterrupt ? { onInterrupt: options.onInterrupt } : {}),
  });
  return { code, stdout, stderr };
}
