// `apply --release R --origin URL [--service S]`: a pipeline sets one service's release in the
// file it applies (the build it just deployed), instead of committing it to the file first.
import type { ConfigFile } from "../schemas/config-file.ts";
import { DesiredRelease, withRelease } from "../schemas/service-spec.ts";
import { EXIT, UsageError } from "./errors.ts";
import { checkFlag } from "./flag-values.ts";

export const releaseArgs = {
  release: {
    type: "string",
    valueHint: "name",
    description: "serve this release (with --origin) for --service, instead of the file's",
  },
  origin: { type: "string", valueHint: "url", description: "the release's origin URL" },
  service: {
    type: "string",
    valueHint: "name",
    description: "whose release --release sets (default: the file's only service)",
  },
} as const;

export function withReleaseFlags(
  file: ConfigFile,
  flags: {
    release?: string | undefined;
    origin?: string | undefined;
    service?: string | undefined;
  },
): ConfigFile {
  const { release, origin, service } = flags;
  if (release === undefined && origin === undefined) {
    if (service !== undefined) throw new UsageError("--service goes with --release and --origin");
    return file;
  }
  if (release === undefined || origin === undefined)
    throw new UsageError("--release and --origin go together: the release's name and its origin");
  checkFlag("--release", release, DesiredRelease.shape.name, EXIT.invalidConfig);
  checkFlag("--origin", origin, DesiredRelease.shape.origin, EXIT.invalidConfig);
  const names = file.services.map((s) => s.name);
  const target = service ?? (names.length === 1 ? names[0] : undefined);
  if (target === undefined)
    throw new UsageError(`--release needs --service: the file has ${names.join(", ")}`);
  if (!names.includes(target))
    throw new UsageError(`--service ${target}: the file has no such service (${names.join(", ")})`);
  return {
    ...file,
    services: file.services.map((spec) =>
      spec.name === target ? withRelease(spec, { name: release, origin }) : spec,
    ),
  };
}
