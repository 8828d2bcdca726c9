// The bounds of what shadow traffic sends and keeps. No schema library: the data plane's mirror
// recorder and comparison read them on the request path (schemas/mirror.ts holds the schemas).

/** Paths counted per batch and kept per version; the rest count under OTHER_PATHS. */
export const MAX_MIRROR_PATHS = 50;
export const OTHER_PATHS = "(other)";
/** Sample diffs per batch, differences per sample, characters per value. */
export const MAX_MIRROR_SAMPLES = 3;
export const MAX_DIFFERENCES = 20;
export const MAX_DIFF_VALUE = 200;
