// A request to the CI deploy webhook, signed as a pipeline signs it (HMAC over "<timestamp>.<body>").
import { exports } from "cloudflare:workers";
import { signDeployHook } from "../../../worker/admin/deploy-hook-gate.ts";

export function hook(
  body: string,
  timestamp = String(Math.floor(Date.now() / 1000)),
  secret = "test-webhook-secret",
) {
  return exports.default.fetch("https://a/_keystone/v1/hooks/deploy", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-keystone-timestamp": timestamp,
      "x-keystone-signature": signDeployHook(secret, timestamp, body),
    },
    body,
  });
}
