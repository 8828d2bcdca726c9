// The local stack's ports: read from the environment (PORT, DEMO_STABLE_PORT, DEMO_CANARY_PORT)
// and checked free before anything starts, so a busy port is one line and exit 1, never a stack
// trace, and never a health check answered by another instance.
import { createServer } from "node:net";

/** A failure `npm start` reports as one line before exiting 1. */
export class StackError extends Error {}

export function portFromEnv(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new StackError(`${name}=${text} is not a port number (1-65535)`);
  return port;
}

/** Resolves when nothing listens on 127.0.0.1:port; a StackError naming the port otherwise. */
export function assertPortFree(port: number, what: string, variable: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        new StackError(
          error.code === "EADDRINUSE"
            ? `port ${port} (${what}) is already in use, perhaps by another npm start: stop it or set ${variable} to a free port`
            : `cannot listen on port ${port} (${what}): ${error.message}`,
        ),
      );
    });
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}
