// A file's services are called a few at a time: never more than the limit at once, every one
// answered, in the file's order, a failure reported in its place.
import { describe, expect, it } from "vitest";
import { allBounded, SERVICE_CALLS_AT_ONCE, settleBounded } from "./bounded.ts";

describe("calls to many service objects", () => {
  it("at most the limit at once, results in order", async () => {
    let running = 0;
    let most = 0;
    const items = Array.from({ length: 50 }, (_, i) => i);
    const results = await allBounded(items, async (i) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, (i * 7) % 5));
      running--;
      return i * 2;
    });
    expect(results).toEqual(items.map((i) => i * 2));
    expect(most).toBe(SERVICE_CALLS_AT_ONCE);
  });

  it("a failure is reported in its place and the others still run", async () => {
    const outcomes = await settleBounded([1, 2, 3], async (i) => {
      if (i === 2) throw new Error("two");
      return i;
    });
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    await expect(
      allBounded([1, 2], async (i) => (i === 2 ? Promise.reject(new Error("no")) : i)),
    ).rejects.toThrow("no");
  });
});
