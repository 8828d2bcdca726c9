// Reads a release file (YAML or JSON) and checks it offline with the Worker's own schema: every
// problem at once, with its path and the line and column it is on (exit 3).
import type { ReleaseFile } from "../schemas/release-file.ts";
import { validateReleaseFile } from "../schemas/validate.ts";
import { parseCheckedText, readSource } from "./config-file.ts";
import { releaseFieldsAt } from "./schema-map.ts";

function parseReleaseText(text: string, source: string): ReleaseFile {
  return parseCheckedText(text, source, (input) =>
    validateReleaseFile(input, { fieldsAt: releaseFieldsAt }),
  );
}

export async function loadReleaseFile(path: string): Promise<ReleaseFile> {
  return parseReleaseText(await readSource(path), path);
}
