// Slack messages: valid Block Kit whatever the strings in them, with the numbers, and a link to
// the status page only when the admin URL is known.
import { describe, expect, it } from "vitest";
import { Incident } from "../../../schemas/incident.ts";
import { blockKitProblems } from "../../../test/support/block-kit.ts";
import { incidentWire } from "../../../test/support/cli-fixtures.ts";
import { metricCheck } from "../../../test/support/metric-fixtures.ts";
import { publicAdminUrl, statusPageLinks } from "./public-url.ts";
import { type Notification, slackMessage } from "./slack-message.ts";

const T = 1_800_000_000_000;

/** The CLI fixture's incident, stored (epoch ms), with a hostile release and this reason. */
function incident(reason: string): Incident {
  return Incident.parse({
    ...incidentWire(),
    release: "v3 <b>",
    candidate: { track: "canary", release: "v3 <b>", origin: "http://canary" },
    startedAt: T,
    at: T + 60_000,
    step: 2,
    stepCount: 3,
    weight: 25,
    reason,
    summary: `shop: rollout of canary v3 <b> rolled back at step 2 of 3 (25%): ${reason}`,
    timeline: [],
    lastCandidateRequest: null,
  });
}

function rolledBack(reason = "error rate 25.00% > 5.00%"): Notification {
  return {
    kind: "notify",
    service: "shop",
    event: "rollout.rolledBack",
    text: "shop: rollout rolledBack",
    targets: [{ url: "https://hooks.slack.com/services/x", format: "slack" }],
    detail: null,
    at: T + 60_000,
    incident: incident(reason),
  };
}

describe("a Slack message", () => {
  it("says what happened, with service, release, step, who decided and the failed check", () => {
    const links = statusPageLinks("https://keystone.example.com", "shop", "3");
    const message = slackMessage(rolledBack(), links);
    expect(blockKitProblems(message)).toEqual([]);
    expect(message.blocks[0]).toMatchObject({
      type: "header",
      text: { type: "plain_text", text: "🔴 shop: rollout rolled back" },
    });
    const shown = JSON.stringify(message.blocks);
    for (const part of [
      "*Release*\\nv3 &lt;b&gt;",
      "*Step*\\n2 of 3 at 25%",
      "*Decided by*\\ncron",
    ])
      expect(shown).toContain(part);
    expect(shown).toContain("• error rate 25.00% &gt; 5.00%");
    expect(shown).toContain(
      "<https://keystone.example.com/_keystone/ui/services/shop/incidents/3|Open incident 3 on the status page>",
    );
    expect(message.text).toMatch(
      /^🔴 shop: rollout rolled back: shop: rollout of canary v3 &lt;b&gt;/,
    );
    expect(message.text).toMatch(
      /\(<https:\/\/keystone\.example\.com\/_keystone\/ui\/services\/shop\/incidents\/3\|incident 3 on the status page>\)$/,
    );
  });

  it("keeps Slack's limits however long the reason", () => {
    const message = slackMessage(rolledBack("x".repeat(10_000)), statusPageLinks(null, "shop"));
    expect(blockKitProblems(message)).toEqual([]);
    expect(message.text.length).toBeLessThanOrEqual(3000);
    expect(JSON.stringify(message.blocks)).not.toContain("status page");
  });

  it("lists the rollout's own metrics with their queries", () => {
    const base = rolledBack("metric app-errors = 0.2 (prometheus) → fail");
    const check = metricCheck();
    const message = slackMessage(
      { ...base, incident: { ...base.incident!, metrics: [check] } },
      statusPageLinks(null, "shop"),
    );
    expect(blockKitProblems(message)).toEqual([]);
    expect(JSON.stringify(message.blocks)).toContain(
      JSON.stringify(
        '*Metrics*\n• metric app-errors = 0.2 (prometheus), successCondition result &lt; 0.01 → fail\n   query: `sum(rate(app_errors_total{version="canary"}[60s]))`',
      ).slice(1, -1),
    );
  });

  it("an event without an incident still makes a valid message", () => {
    const promoted: Notification = {
      ...rolledBack(),
      event: "rollout.promoted",
      text: "shop: rollout promoted — last step passed",
      incident: undefined,
    };
    const message = slackMessage(promoted, statusPageLinks("https://k.example", "shop"));
    expect(blockKitProblems(message)).toEqual([]);
    expect(message.text).toContain("✅ shop: rollout promoted");
    expect(message.text).toContain(
      "<https://k.example/_keystone/ui/#service-shop|the status page>",
    );
  });
});

describe("the status page's public URL", () => {
  it("is PUBLIC_ADMIN_URL, else the first named admin host; unknown for * or nothing", () => {
    expect(publicAdminUrl({ PUBLIC_ADMIN_URL: "https://ops.example.com/" })).toBe(
      "https://ops.example.com",
    );
    expect(publicAdminUrl({ ADMIN_HOSTS: "*.example.com, keystone.example.com" })).toBe(
      "https://keystone.example.com",
    );
    expect(publicAdminUrl({ ADMIN_HOSTS: "*" })).toBeNull();
    expect(publicAdminUrl({})).toBeNull();
  });
});
