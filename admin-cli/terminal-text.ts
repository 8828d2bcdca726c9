// What the CLI writes to a terminal holds text the admin API answered: a reason or author stored
// before the API refused control characters, an error message echoing what a request sent, a
// proxy's page in front of the Worker, a redirect's Location. A terminal obeys escape sequences
// wherever they come from (retitle the window, write the clipboard with OSC 52, hide or rewrite
// lines), so a stream that is a terminal gets every such character as a visible symbol. The data
// itself is never changed: piped output, --json and -o yaml are exact (JSON escapes control
// characters; a file applied again must say what was stored), and the CLI sends back what it read.

/**
 * An SGR sequence (`ESC [ … m`), matched first so the CLI's own colours can be told apart; then
 * C0 controls but tab and line feed (CRLF becomes LF), DEL, C1 controls (a Location header's bytes
 * 0x80–0x9f arrive as these; U+009B is a one-character CSI), and the bidirectional embeddings,
 * overrides and isolates that reorder what a line appears to say.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it replaces
const UNSAFE = /\x1b\[([0-9;]*)m|\r\n|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/** The SGR parameters the CLI's painter writes (node:util styleText): bold, dim, five colours. */
const OWN_COLOURS = new Set(["0", "1", "2", "22", "31", "32", "33", "34", "36", "39"]);

/** A control character's visible stand-in: its Control Pictures symbol, or U+FFFD. */
function visible(character: string): string {
  const code = character.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return "\u2421";
  return "\ufffd";
}

/**
 * The text with every character a terminal would act on shown as a symbol; CRLF as LF. With
 * `colours`, an SGR sequence made only of the painter's own parameters is kept (one holding any
 * other, such as 8, concealed text, is shown).
 */
export function terminalSafe(text: string, colours = false): string {
  return text.replace(UNSAFE, (match: string, sgr: string | undefined) => {
    if (match === "\r\n") return "\n";
    if (sgr === undefined) return visible(match);
    const own = colours && sgr.split(";").every((parameter) => OWN_COLOURS.has(parameter));
    return own ? match : `${visible("\x1b")}${match.slice(1)}`;
  });
}

/**
 * A stream's writer: made terminal-safe when the stream is a terminal (the painter's colours
 * kept), exact otherwise. Cursor moves for a live view are written apart (Io.control).
 */
export function streamWriter(
  write: (text: string) => void,
  isTerminal: boolean,
): (text: string) => void {
  return isTerminal ? (text) => write(terminalSafe(text, true)) : write;
}
