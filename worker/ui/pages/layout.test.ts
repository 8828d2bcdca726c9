import { describe, expect, it } from "vitest";
import { REFRESH_SECONDS, refreshSecondsAfter } from "./layout.tsx";

describe("the services' page's refresh", () => {
  it("is 5 s for a page built quickly, and three times the build past that", () => {
    expect(refreshSecondsAfter(0)).toBe(REFRESH_SECONDS);
    expect(refreshSecondsAfter(300)).toBe(5);
    expect(refreshSecondsAfter(1_700)).toBe(6);
    // ~300 services on a busy machine: the page is readable, not always reloading.
    expect(refreshSecondsAfter(4_500)).toBe(14);
    expect(refreshSecondsAfter(-5)).toBe(5);
  });
});
