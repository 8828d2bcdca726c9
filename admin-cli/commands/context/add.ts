// keystone context add NAME --url U --token-env VAR [--env E]: stores a context (never a token).
import { CliContext, ContextName } from "../../../schemas/cli-contexts.ts";
import { formatPath } from "../../../schemas/problems.ts";
import { defineCommand } from "../../command.ts";
import { readContexts, writeContexts } from "../../contexts/store.ts";
import { UsageError } from "../../errors.ts";

export default defineCommand({
  description:
    "Add a context (--url, the global flag, is its URL), or replace the one of that name",
  args: {
    name: { type: "positional", required: true, description: "context name (e.g. staging)" },
    "token-env": {
      type: "string",
      required: true,
      valueHint: "VAR",
      description: "the environment variable that holds the token (not the token)",
    },
    env: {
      type: "string",
      description: "config-file environment whose overlay validate, diff and apply use",
    },
  },
  examples: [
    "keystone --url https://keystone.example.com context add production --token-env KEYSTONE_PROD_TOKEN --env production",
  ],
  async run(args, session) {
    const { out, io, globals } = session;
    if (globals.url === undefined)
      throw new UsageError("keystone context add needs --url <url>: the context's admin API");
    const name = ContextName.safeParse(args.name);
    if (!name.success)
      throw new UsageError(`context name "${args.name}": ${name.error.issues[0]?.message}`);
    const context = CliContext.safeParse({
      url: globals.url,
      tokenEnv: args["token-env"],
      ...(args.env === undefined ? {} : { env: args.env }),
    });
    if (!context.success) {
      const flags: Record<string, string> = { url: "--url", tokenEnv: "--token-env", env: "--env" };
      throw new UsageError(
        context.error.issues
          .map((i) => `${flags[formatPath(i.path)] ?? formatPath(i.path)}: ${i.message}`)
          .join("; "),
      );
    }
    const file = readContexts(io.env);
    const replaced = name.data in file.contexts;
    file.contexts[name.data] = context.data;
    const path = writeContexts(io.env, file);
    out.result({ name: name.data, ...context.data, replaced, path });
    out.line(
      `${out.paint("green", "✓")} context ${name.data} ${replaced ? "replaced" : "added"}: ${context.data.url}, token from $${context.data.tokenEnv}${context.data.env ? `, environment ${context.data.env}` : ""}`,
    );
    if (file.current !== name.data)
      out.line(`use it: keystone context use ${name.data}, or keystone --context ${name.data} …`);
  },
});
