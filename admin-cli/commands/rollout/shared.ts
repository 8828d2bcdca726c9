// What the rollout subcommands share: the service argument.

export const serviceArgs = {
  service: { type: "positional", required: true, description: "service name" },
} as const;
