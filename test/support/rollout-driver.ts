// Moves a rollout along while a pipeline job waits on its verdict: traffic through the Worker and
// a cron tick, again every few seconds (as the minute cron would), until the job is done.
import { fireCron } from "./e2e-stack.ts";

/** `cookie`: the sticky cookie each request carries a visitor id of its own in. */
export async function traffic(
  url: string,
  count: number,
  path = "/",
  cookie = "ks_shop",
): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const response = await fetch(`${url}${path}`, {
        headers: { cookie: `${cookie}=visitor-${i}-${Date.now()}` },
      });
      await response.arrayBuffer();
    }),
  );
}

/** `path`: where the service being rolled out listens (its pathPrefix); `cookie` as for traffic(). */
export async function driveUntil<T>(
  url: string,
  job: Promise<T>,
  path = "/",
  cookie = "ks_shop",
): Promise<T> {
  let done = false;
  void job.finally(() => (done = true)).catch(() => undefined);
  for (let round = 1; !done && round <= 15; round++) {
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    if (done) break;
    await traffic(url, 60, path, cookie);
    await fireCron(url, Date.now() + 2_000);
  }
  return job;
}
