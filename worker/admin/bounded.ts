// Calls to many service objects at once, a few at a time: a file of hundreds of services must not
// open hundreds of calls from one request (the Worker's connection limit, and each object's
// queue), yet should not wait for them one by one either.
export const SERVICE_CALLS_AT_ONCE = 6;

/** `work` over every item, at most `limit` at once; each outcome in the items' order. */
export async function settleBounded<T, R>(
  items: readonly T[],
  work: (item: T) => Promise<R>,
  limit = SERVICE_CALLS_AT_ONCE,
): Promise<PromiseSettledResult<R>[]> {
  const outcomes: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) {
      try {
        outcomes[i] = { status: "fulfilled", value: await work(items[i]!) };
      } catch (reason) {
        outcomes[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return outcomes;
}

/** Like Promise.all over `work`, at most `limit` at once: the first failure is thrown. */
export async function allBounded<T, R>(
  items: readonly T[],
  work: (item: T) => Promise<R>,
  limit = SERVICE_CALLS_AT_ONCE,
): Promise<R[]> {
  const outcomes = await settleBounded(items, work, limit);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (failed) throw failed.reason;
  return outcomes.map((o) => (o as PromiseFulfilledResult<R>).value);
}
