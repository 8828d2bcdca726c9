// The live frame goes back up exactly the rows it drew: entries of several lines (a table) and
// lines wider than the terminal (wrapped) included.
import { describe, expect, it } from "vitest";
import { CURSOR, LiveFrame } from "./live-frame.ts";

describe("a live frame", () => {
  it("goes back over every row of the last frame before drawing the next", () => {
    const written: string[] = [];
    const frame = new LiveFrame((text) => written.push(text), 40);
    frame.draw(["title", "A  B\n1  2\n3  4", "x".repeat(100)]);
    frame.draw(["next"]);
    frame.draw(["last"]);
    expect(written[0]).toBe(`title\nA  B\n1  2\n3  4\n${"x".repeat(100)}\n`);
    expect(written[1]).toBe(`${CURSOR.back(7)}next\n`); // 1 + 3 table lines + 3 wrapped rows
    expect(written[2]).toBe(`${CURSOR.back(1)}last\n`);
  });
});
