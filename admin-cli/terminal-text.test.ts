// What reaches a terminal: every control character the CLI was answered shown as a symbol, the
// CLI's own colours kept; what is piped is exact.
import { styleText } from "node:util";
import { describe, expect, it } from "vitest";
import { LiveFrame } from "./live-frame.ts";
import { streamWriter, terminalSafe } from "./terminal-text.ts";

// A history entry stored before the API refused control characters: a window title (OSC 0), a
// clipboard write (OSC 52), a CSI as one C1 character, a line rewritten by a carriage return,
// hidden text (SGR 8), a bidirectional override.
const HOSTILE =
  "\x1b]0;pwned\x07fix\x1b]52;c;cm0gLXJmIH4=\x07 \x9b2J ok\rFAILED\r\nnext\tline \x1b[8mhidden\x1b[0m \u202eevil";

describe("text for a terminal", () => {
  it("shows every control character as a symbol, keeps tabs and line feeds, CRLF as LF", () => {
    expect(terminalSafe(HOSTILE)).toBe(
      "\u241b]0;pwned\u2407fix\u241b]52;c;cm0gLXJmIH4=\u2407 \ufffd2J ok\u240dFAILED\nnext\tline \u241b[8mhidden\u241b[0m \ufffdevil",
    );
  });

  it("keeps the painter's own colours when asked, never another SGR sequence", () => {
    const painted = `${styleText("red", "failed", { validateStream: false })} ${styleText("bold", "x", { validateStream: false })}`;
    expect(terminalSafe(painted, true)).toBe(painted);
    expect(terminalSafe(painted)).not.toContain("\x1b");
    expect(terminalSafe("\x1b[8mhidden\x1b[0m", true)).toBe("\u241b[8mhidden\x1b[0m");
  });

  it("a terminal's writer makes what it writes safe; a pipe's writes it exactly", () => {
    const onTerminal: string[] = [];
    const piped: string[] = [];
    streamWriter((text) => onTerminal.push(text), true)(HOSTILE);
    streamWriter((text) => piped.push(text), false)(HOSTILE);
    expect(onTerminal).toEqual([terminalSafe(HOSTILE, true)]);
    expect(piped).toEqual([HOSTILE]);
  });

  it("a live frame's cursor moves go apart from its text, which the terminal's writer makes safe", () => {
    const written: string[] = [];
    const frame = new LiveFrame(
      streamWriter((text) => written.push(text), true),
      80,
      (sequence) => written.push(sequence),
    );
    frame.draw(["status", "reason \x1b]52;c;x\x07"]);
    frame.draw(["status", "next"]);
    expect(written).toEqual([
      "status\nreason \u241b]52;c;x\u2407\n",
      "\x1b[2F\x1b[0J",
      "status\nnext\n",
    ]);
  });
});
