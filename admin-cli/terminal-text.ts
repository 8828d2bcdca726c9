// What the admin API answers ends up on an operator's terminal: a reason or author stored before
// the API refused control characters, an error message echoing what a request sent, a proxy's
// page in front of the Worker, a redirect's Location. A terminal obeys escape sequences wherever
// they come from (retitle the window, write the clipboard with OSC 52, hide or rewrite lines), so
// the CLI shows every such character as a visible symbol instead of passing it on, in --json too:
// a script reads the same text a person sees.

/**
 * C0 controls but tab and line feed, DEL, C1 controls (a Location header's bytes 0x80–0x9f arrive
 * as these; U+009B is a one-character CSI), and the bidirectional overrides and isolates that
 * reorder what a line appears to say.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it replaces
const UNSAFE = /\r\n|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/** A control character's visible stand-in: its Control Pictures symbol, or U+FFFD. */
function visible(character: string): string {
  if (character === "\r\n") return "\n";
  const code = character.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return "\u2421";
  return "\ufffd";
}

/** The text with every character a terminal would act on shown as a symbol; CRLF as LF. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, visible);
}

/** Every string in a parsed JSON value, keys too, made terminal-safe (a JSON.parse reviver). */
export function terminalSafeJson(_key: string, value: unknown): unknown {
  if (typeof value === "string") return terminalSafe(value);
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  if (keys.every((key) => terminalSafe(key) === key)) return value;
  return Object.fromEntries(
    keys.map((key) => [terminalSafe(key), (value as Record<string, unknown>)[key]]),
  );
}
