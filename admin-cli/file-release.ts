// `apply --release R --origin URL [--service S]`: a pipeline sets one service's release in the
// file it applies (the build it just deployed), instead of committing it to the file first; without
// a file, in the service's spec as last applied.
import type { ConfigFile } from "../schemas/config-file.ts";
import { DesiredRelease, withRelease } from "../schemas/service-spec.ts";
import type { ApiClient } from "./client.ts";
import { type EnvironmentChoice, loadConfigFile } from "./config-file.ts";
import { EXIT, UsageError } from "./errors.ts";
import { checkFlag } from "./flag-values.ts";

export const fileArgs = {
  file: {
    type: "string",
    alias: "f",
    valueHint: "path",
    description: "YAML or JSON config file (without it: --service's spec as last applied)",
  },
} as const;

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

function withReleaseFlags(
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

type Flags = {
  file?: string | undefined;
  release?: string | undefined;
  origin?: string | undefined;
  service?: string | undefined;
};

/** The file to apply, with the release flags' release set; its name for messages. */
export async function fileToApply(
  api: ApiClient,
  flags: Flags,
  environment: EnvironmentChoice | undefined,
): Promise<{ file: ConfigFile; source: string }> {
  if (flags.file !== undefined) {
    const file = await loadConfigFile(flags.file, environment);
    return { file: withReleaseFlags(file, flags), source: flags.file };
  }
  if (flags.service === undefined || flags.release === undefined || flags.origin === undefined)
    throw new UsageError(
      "give -f FILE, or --service with --release and --origin (one service's release, the rest as last applied)",
    );
  const record = await api.call("getService", { params: { name: flags.service } });
  const file = { services: [record.spec] };
  return { file: withReleaseFlags(file, flags), source: `service ${flags.service}` };
}
