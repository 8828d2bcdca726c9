// keystone override-token SERVICE VERSION [--ttl 1h]: a signed token that forces a version.
import { Duration } from "../../schemas/duration.ts";
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
    // The form here (exit 2); the bounds (1 minute to 7 days) are the API's call (exit 3).
    checkFlag("--ttl", args.ttl, Duration);
    const minted = await api.call("mintOverrideToken", {
      params: { name: args.service },
      body: { version: args.version, ttl: args.ttl },
    });
    out.result(minted);
    out.line(minted.token);
    out.note(
      `valid until ${minted.expiresAt}; send it as: -H 'x-keystone-override: ${minted.token}'`,
    );
  },
});
