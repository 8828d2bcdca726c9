// Redraws a block of lines in place on a terminal: the cursor goes back up over the rows the
// last frame took (wrapped lines count as the rows they fill), clears down, and draws anew.
import { stripVTControlCharacters } from "node:util";

export const CURSOR = {
  /** Up n rows to column 1, then clear to the end of the screen. */
  back: (rows: number) => `\u001b[${rows}F\u001b[0J`,
  hide: "\u001b[?25l",
  show: "\u001b[?25h",
} as const;

export class LiveFrame {
  readonly #write: (text: string) => void;
  readonly #control: ((sequence: string) => void) | undefined;
  readonly #columns: number;
  #rows = 0;

  /**
   * `control`: where the cursor moves go when the frame's text goes through a writer that shows
   * control characters as symbols (a terminal's, terminal-text.ts); without it, with the text.
   */
  constructor(write: (text: string) => void, columns = 80, control?: (sequence: string) => void) {
    this.#write = write;
    this.#control = control;
    this.#columns = Math.max(20, columns);
  }

  draw(block: readonly string[]): void {
    const back = this.#rows > 0 ? CURSOR.back(this.#rows) : "";
    // An entry may hold several lines (a table): count each.
    const lines = block.flatMap((entry) => entry.split("\n"));
    if (this.#control) {
      if (back) this.#control(back);
      this.#write(`${lines.join("\n")}\n`);
    } else this.#write(`${back}${lines.join("\n")}\n`);
    this.#rows = lines.reduce(
      (rows, line) =>
        rows + Math.max(1, Math.ceil(stripVTControlCharacters(line).length / this.#columns)),
      0,
    );
  }
}
