// keystone override-token SERVICE VERSION [--ttl 1h]: a signed token that forces a version.
import { OverrideTokenBody } from "../../schemas/api.ts";
import { defineCommand } from "../command.ts";
import { checkFlag } from "../flag-values.ts";

export default defineCommand({
  description: "Mint a signed x-keystone-override token for a version",
  args: {
    service: { type: "positional", required: true, description: "service name" },
    version: { type: "positional", required: true, description: "version to force" },
    ttl: { type: "string", default: "1h", description: "how long it is valid (30m, 1h, …)" },
  },
  examples: ["keystone override-token shop canary --ttl 30m"],
  async run(args, session) {
    const { out, api } = session;
    // The form and the bounds (1 minute to 7 days), with the API's own schema: a bad value is a
    // usage error naming --ttl (exit 2), not a "request body" the user never wrote.
    checkFlag("--ttl", args.ttl, OverrideTokenBody.shape.ttl);
    const minted = await api.call("mintOverrideToken", {
      params: { name: args.service },
      body: { version: args.version, ttl: args.ttl },
    });
    out.result(minted);
    out.line(minted.token);
    // The token once, on stdout, which a script captures (`token="$(keystone override-token …)"`):
    // stderr still reaches the terminal or the CI job's log then, and a token there could be
    // replayed by anyone reading that log until it expires.
    out.note(
      `valid until ${minted.expiresAt}; send it in the x-keystone-override header (curl -H "x-keystone-override: $token")`,
    );
  },
});
