import { describe, expect, it } from "vitest";
import { nextAlarmAt } from "./tick-report.ts";

describe("a writer's next alarm", () => {
  const now = 1_000_000;

  it("fires at the earliest of the tick and the other wake-ups, none earlier than notBefore", () => {
    expect(nextAlarmAt(now, 0, now + 5_000, [now + 2_000, null])).toBe(now + 2_000);
    expect(nextAlarmAt(now, 0, now + 500, [now + 2_000])).toBe(now + 500);
    expect(nextAlarmAt(now, now + 3_000, now + 500, [now + 2_000])).toBe(now + 3_000);
  });

  it("retries a tick already due a second later, not in a tight loop", () => {
    expect(nextAlarmAt(now, 0, now, [])).toBe(now + 1_000);
    expect(nextAlarmAt(now, 0, now - 60_000, [])).toBe(now + 1_000);
    expect(nextAlarmAt(now, 0, now - 60_000, [now + 200])).toBe(now + 200);
  });

  it("is none when nothing is ahead", () => {
    expect(nextAlarmAt(now, now + 3_000, null, [null, null])).toBeNull();
  });
});
