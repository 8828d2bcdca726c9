// Stored strings (release names, reasons, authors, queries) in the Markdown a CI job summary, a
// pull request comment or an agent renders: read as text, never as a table break, HTML, a link
// or an image. A release name can come from a branch name a pull request chose.

/** A table cell or a line of running text: pipes, brackets and `<` escaped, one line. */
export function cell(text: string): string {
  return text
    .replace(/[|[\]]/g, "\\$&")
    .replace(/</g, "&lt;")
    .replace(/\s*\n\s*/g, " ");
}
