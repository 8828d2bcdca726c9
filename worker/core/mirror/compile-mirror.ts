// A service's mirror config, compiled once per config generation: the mirrored version, the
// sampling share, the methods and the compare settings with their field matchers.
import type { Mirror } from "../../../schemas/mirror.ts";
import type { CompiledMirror, CompiledVersion } from "../route-table.ts";
import { compileFieldPaths } from "./field-paths.ts";

export type { CompiledMirror };

export function compileMirror(
  mirror: Mirror | undefined,
  versions: ReadonlyMap<string, CompiledVersion>,
): CompiledMirror | undefined {
  const version = mirror && versions.get(mirror.version);
  if (!mirror || !version) return undefined;
  return {
    version,
    share: mirror.percent / 100,
    methods: new Set(mirror.methods),
    withBody: mirror.withBody,
    timeoutMs: mirror.timeoutMs,
    compare: {
      headers: mirror.compare.headers,
      body: mirror.compare.body,
      ignore: compileFieldPaths(mirror.compare.ignoreFields),
      redact: compileFieldPaths(mirror.compare.redactFields),
      maxBodyBytes: mirror.compare.maxBodyBytes,
    },
  };
}

/**
 * Whether a request the service sent to `served` gets a copy: sampled by `draw` (0..1), never to
 * the version that served it, only for the methods listed, with a body only when allowed.
 */
export function wantsMirror(
  mirror: CompiledMirror | undefined,
  served: string,
  method: string,
  hasBody: boolean,
  draw: number,
): mirror is CompiledMirror {
  return (
    mirror !== undefined &&
    draw < mirror.share &&
    served !== mirror.version.name &&
    mirror.methods.has(method) &&
    (!hasBody || mirror.withBody)
  );
}
