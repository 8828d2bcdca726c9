// keystone explain SERVICE [-H 'name: value'] [--cookie k=v] …: which version, and why.
import { ExplainRequest } from "../../schemas/api.ts";
import { defineCommand } from "../command.ts";
import { CliError, EXIT } from "../errors.ts";
import { checkFlag } from "../flag-values.ts";

function pairs(values: string[], separator: string, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf(separator);
    if (at <= 0)
      throw new CliError(EXIT.usage, `${what} "${value}" needs the form name${separator}value`);
    out[value.slice(0, at).trim()] = value.slice(at + 1).trim();
  }
  return out;
}

export default defineCommand({
  description: "Which version a request would get, by which rule or bucket, and why",
  args: {
    service: { type: "positional", required: true, description: "service name" },
    header: {
      type: "string",
      alias: "H",
      repeatable: true,
      description: "request header 'name: value' (repeatable)",
    },
    cookie: { type: "string", repeatable: true, description: "cookie name=value (repeatable)" },
    query: {
      type: "string",
      repeatable: true,
      description: "query parameter name=value (repeatable)",
    },
    ip: { type: "string", description: "client IP" },
    country: { type: "string", description: "two-letter country code" },
    colo: { type: "string", description: "Cloudflare colo" },
    continent: { type: "string", description: "continent code (AF, AN, AS, EU, NA, OC, SA)" },
    path: { type: "string", description: "request path (default /)" },
    method: { type: "string", description: "request method (default GET)" },
    host: { type: "string", description: "request host (default: the service's first)" },
  },
  examples: [
    "keystone explain shop -H 'x-canary: always'",
    "keystone explain shop --cookie ks_visitor=abc123 --country DE --path /cart",
  ],
  async run(args, session) {
    const { out, api } = session;
    checkFlag("--ip", args.ip, ExplainRequest.shape.ip);
    checkFlag("--country", args.country, ExplainRequest.shape.country);
    checkFlag("--colo", args.colo, ExplainRequest.shape.colo);
    checkFlag("--continent", args.continent, ExplainRequest.shape.continent);
    checkFlag("--path", args.path, ExplainRequest.shape.path);
    const request = {
      host: args.host,
      path: args.path,
      method: args.method,
      headers: pairs(args.header, ":", "header"),
      cookies: pairs(args.cookie, "=", "cookie"),
      query: pairs(args.query, "=", "query parameter"),
      ip: args.ip,
      country: args.country,
      colo: args.colo,
      continent: args.continent,
    };
    const result = await api.call("explain", { body: { service: args.service, request } });
    out.result(result);
    out.line(
      `${out.paint("bold", result.version)}${result.release ? ` (${result.release})` : ""} ← ${result.service}`,
    );
    for (const line of result.why) out.line(`  ${line}`);
  },
});
