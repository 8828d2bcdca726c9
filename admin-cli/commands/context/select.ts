// keystone context use NAME | context remove NAME: the current context, and forgetting one.
import { unknownName } from "../../../schemas/cross-checks.ts";
import { defineCommand } from "../../command.ts";
import { readContexts, writeContexts } from "../../contexts/store.ts";
import { CliError, EXIT } from "../../errors.ts";

const nameArg = {
  name: { type: "positional", required: true, description: "context name" },
} as const;

function known(env: Record<string, string | undefined>, name: string) {
  const file = readContexts(env);
  if (!(name in file.contexts))
    throw new CliError(EXIT.error, unknownName("context", name, Object.keys(file.contexts)));
  return file;
}

export const use = defineCommand({
  description: "Make a context the current one (used without --context)",
  args: nameArg,
  examples: ["keystone context use staging"],
  async run(args, { out, io }) {
    const file = known(io.env, args.name);
    file.current = args.name;
    writeContexts(io.env, file);
    out.result({ current: args.name });
    out.line(
      `${out.paint("green", "✓")} current context: ${args.name} (${file.contexts[args.name]!.url})`,
    );
  },
});

export const remove = defineCommand({
  description: "Forget a context",
  args: nameArg,
  examples: ["keystone context remove staging"],
  async run(args, { out, io }) {
    const file = known(io.env, args.name);
    delete file.contexts[args.name];
    if (file.current === args.name) file.current = null;
    writeContexts(io.env, file);
    out.result({ removed: args.name, current: file.current });
    out.line(`${out.paint("green", "✓")} context ${args.name} removed`);
  },
});
