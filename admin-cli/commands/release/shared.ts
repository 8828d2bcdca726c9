// What the release subcommands share: the release argument.

export const releaseArgs = {
  release: { type: "positional", required: true, description: "release name" },
} as const;
