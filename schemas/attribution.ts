// Who made a change and why: free text that history, incidents, notifications and the CLI show
// people, in terminals too. Tabs and line breaks are kept (a pipeline passes a commit message on);
// other control characters are refused, since an escape sequence in a reason would drive the
// terminal of whoever runs `keystone history` (set its title, write its clipboard, hide lines).
import * as z from "zod";

/** C0 controls but tab, line feed and carriage return; DEL; C1 controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

function printable(max: number) {
  return z
    .string()
    .max(max)
    .superRefine((text, ctx) => {
      const at = text.search(CONTROL);
      if (at < 0) return;
      const code = text.charCodeAt(at).toString(16).toUpperCase().padStart(4, "0");
      ctx.addIssue({
        code: "custom",
        message: `holds a control character (U+${code}) at character ${at + 1}: terminals showing it would obey it; remove it`,
      });
    });
}

export const Author = printable(200);
export const Reason = printable(1000);

/** A change's author and reason, as every write takes them. */
export const Attribution = {
  author: Author.optional(),
  reason: Reason.optional(),
};
