// keystone context list: every context, the current one marked, and whether its token is set.
import { defineCommand } from "../../command.ts";
import { contextsPath, readContexts } from "../../contexts/store.ts";
import { table } from "../../io.ts";

export default defineCommand({
  description: "List contexts: the current one, URLs, token variables",
  args: {},
  examples: ["keystone context list"],
  async run(_, session) {
    const { out, io } = session;
    const file = readContexts(io.env);
    const contexts = Object.entries(file.contexts).map(([name, c]) => ({
      name,
      current: name === file.current,
      ...c,
      tokenSet: Boolean(io.env[c.tokenEnv]),
    }));
    out.result({ current: file.current, contexts });
    if (contexts.length === 0)
      return out.line(
        `no contexts in ${contextsPath(io.env)}: keystone context add staging --url URL --token-env VAR`,
      );
    out.line(
      table(
        ["CURRENT", "NAME", "URL", "TOKEN", "ENV"],
        contexts.map((c) => [
          c.current ? "*" : "",
          c.name,
          c.url,
          `$${c.tokenEnv} (${c.tokenSet ? "set" : "not set"})`,
          c.env ?? "-",
        ]),
      ),
    );
  },
});
