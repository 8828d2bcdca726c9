import { describe, expect, it } from "vitest";
import { Chart, runs } from "./charts.tsx";

describe("the status page's small charts", () => {
  it("break a line where a minute had no requests, and keep a lone minute as a point", () => {
    const lines = runs([1, 2, null, null, 4, null, 2], 4);
    expect(lines.map((run) => run.length)).toEqual([2, 1, 1]);
    // The highest value touches the top padding, zero would sit on the bottom one.
    expect(lines[1]![0]![1]).toBe("4.0");
  });

  it("draws the threshold dashed at its height and one line per version", async () => {
    const svg = String(
      await Chart({
        title: "error %",
        unit: "%",
        threshold: 5,
        lines: [
          { name: "stable", role: "baseline", points: [0, 1, 2] },
          { name: "canary", role: "candidate", points: [null, 8, null] },
        ],
      }),
    );
    expect(svg).toContain('class="threshold" data-threshold="5"');
    expect(svg).toMatch(/<polyline class="line role-baseline" data-version="stable"/);
    expect(svg).toMatch(/<circle class="dot role-candidate" data-version="canary"/);
    expect(svg).toContain("error % (dashed: threshold 5%), last 30 min");
  });
});
