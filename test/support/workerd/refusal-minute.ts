// The Worker counts an address's refused tokens per minute of the wall clock
// (worker/admin/auth.ts), which a test inside workerd cannot move: a test that uses up an
// address's refusals and then expects 429 must not straddle a minute's end, where the count
// starts again from nothing.

/** Waits, when less than `marginMs` of the current minute is left, until the next one has begun. */
export async function clearOfMinuteEnd(marginMs = 5_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
