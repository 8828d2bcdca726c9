// keystone explain SERVICE [-H 'name: value'] [--cookie k=v] …: which version, and why.
import { defineCommand } from "citty";
import { ExplainRequest } from "../../schemas/api.ts";
import { ExplainResult } from "../../schemas/api-responses.ts";
import { CliError, EXIT } from "../errors.ts";
import { checkFlag } from "../flag-values.ts";
import { openSession, repeated } from "../session.ts";

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
  meta: {
    name: "explain",
    description: "Which version a request would get, by which rule or bucket, and why",
  },
  args: {
    service: { type: "positional", required: true, description: "service name" },
    header: {
      type: "string",
      alias: "H",
      description: "request header 'name: value' (repeatable)",
    },
    cookie: { type: "string", description: "cookie name=value (repeatable)" },
    query: { type: "string", description: "query parameter name=value (repeatable)" },
    ip: { type: "string", description: "client IP" },
    country: { type: "string", description: "two-letter country code" },
    colo: { type: "string", description: "Cloudflare colo" },
    continent: { type: "string", description: "continent code (AF, AN, AS, EU, NA, OC, SA)" },
    path: { type: "string", description: "request path (default /)" },
    method: { type: "string", description: "request method (default GET)" },
    host: { type: "string", description: "request host (default: the service's first)" },
  },
  async run({ args, rawArgs }) {
    const { out, api } = openSession();
    checkFlag("--ip", args.ip, ExplainRequest.shape.ip);
    checkFlag("--country", args.country, ExplainRequest.shape.country);
    checkFlag("--colo", args.colo, ExplainRequest.shape.colo);
    const request = {
      host: args.host,
      path: args.path,
      method: args.method,
      headers: pairs(repeated(rawArgs, ["-H", "--header"]), ":", "header"),
      cookies: pairs(repeated(rawArgs, ["--cookie"]), "=", "cookie"),
      query: pairs(repeated(rawArgs, ["--query"]), "=", "query parameter"),
      ip: args.ip,
      country: args.country,
      colo: args.colo,
      continent: args.continent,
    };
    const result = await api.request(ExplainResult, "POST", "/explain", {
      service: args.service,
      request,
    });
    out.result(result);
    out.line(
      `${out.paint("bold", result.version)}${result.release ? ` (${result.release})` : ""} ← ${result.service}`,
    );
    for (const line of result.why) out.line(`  ${line}`);
  },
});
