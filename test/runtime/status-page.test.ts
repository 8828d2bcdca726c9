// /_keystone/ui inside workerd: sign-in with a token through a form, the session cookie's
// protections, the CSP, escaping of stored text, and the page's content.
import { env, exports } from "cloudflare:workers";
import { createHash } from "node:crypto";
import { generateSignedCookie } from "hono/cookie";
import { describe, expect, it } from "vitest";
import {
  blueGreenService,
  RolloutHarness,
  rolloutService,
} from "../support/workerd/rollout-harness.ts";

const ORIGIN = "https://edge.test";

function page(path = "/_keystone/ui", init: RequestInit = {}, origin = ORIGIN) {
  return exports.default.fetch(`${origin}${path}`, { redirect: "manual", ...init });
}

function signIn(
  token: string,
  origin = ORIGIN,
  from = origin,
  fields: Record<string, string> = {},
) {
  return page(
    "/_keystone/ui/sign-in",
    {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: from },
      body: new URLSearchParams({ token, ...fields }).toString(),
    },
    origin,
  );
}

/** The `name=value` part of a Set-Cookie header, to send back as a Cookie header. */
function cookieOf(response: Response): string {
  const header = response.headers.get("set-cookie");
  if (!header) throw new Error("no session cookie was set");
  return header.split(";")[0]!;
}

async function session(token = "test-read-token") {
  return cookieOf(await signIn(token));
}

describe("signing in to the status page", () => {
  it("shows a sign-in form with a password field, under a strict CSP, to a browser without a session", async () => {
    const response = await page();
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('type="password"');
    expect(html).toContain('method="post"');
    const csp = response.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("script-src");
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("never takes a token from the URL", async () => {
    const html = await (await page("/_keystone/ui?token=test-read-token")).text();
    expect(html).toContain('type="password"');
    expect(html).not.toContain("Sign out");
  });

  it("refuses a wrong token, and sign-in posts from another origin", async () => {
    const wrong = await signIn("not-the-token");
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("That token is not valid.");
    expect(wrong.headers.get("set-cookie")).toBeNull();
    const forged = await signIn("test-read-token", ORIGIN, "https://evil.test");
    expect(forged.status).toBe(403);
    expect(forged.headers.get("set-cookie")).toBeNull();
    expect(await forged.text()).toMatch(/^refused: sign-in and sign-out .*Origin header/);
  });

  it("gives the read token a signed, expiring, HttpOnly, SameSite=Strict cookie, Secure over https, without the token in it", async () => {
    const response = await signIn("test-read-token");
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/_keystone/ui");
    const cookie = response.headers.get("set-cookie")!;
    expect(cookie).toMatch(
      /^ks_ui_session=[^;]+; Max-Age=28800; Path=\/_keystone\/ui; HttpOnly; Secure; SameSite=Strict$/,
    );
    expect(cookie).not.toContain("test-read-token");
    const plain = await signIn("test-admin-token", "http://edge.test");
    expect(plain.headers.get("set-cookie")).not.toContain("Secure");
  });

  it("refuses a tampered or expired session, and signs out", async () => {
    const good = await session();
    const [name, value] = good.split("=") as [string, string];
    const tampered = `${name}=${decodeURIComponent(value).replace("read.", "admin.")}`;
    const key = createHash("sha256")
      .update(`keystone-ui-session\n${env.ADMIN_TOKEN}\n${env.READ_TOKEN}`)
      .digest();
    const id = "0123456789abcdef0123456789abcdef";
    const forged = async (value: string) =>
      (await generateSignedCookie(name, value, key)).split(";")[0]!;
    const expired = await forged(`read.${Date.now() - 1000}.${id}`);
    const stillValid = await forged(`read.${Date.now() + 60_000}.${id}`);
    const signedIn = async (cookie: string) =>
      (await (await page("/_keystone/ui", { headers: { cookie } })).text()).includes("Sign out");
    expect(await signedIn(good)).toBe(true);
    expect(await signedIn(stillValid)).toBe(true);
    expect(await signedIn(tampered)).toBe(false);
    expect(await signedIn(expired)).toBe(false);

    const out = await page("/_keystone/ui/sign-out", {
      method: "POST",
      headers: {
        cookie: good,
        origin: ORIGIN,
        "content-type": "application/x-www-form-urlencoded",
      },
    });
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toMatch(
      /^ks_ui_session=; Max-Age=0; Path=\/_keystone\/ui/,
    );
    // Signed out on the server too: a copy of the cookie taken before no longer opens the page.
    expect(await signedIn(good)).toBe(false);
    expect(await signedIn(stillValid)).toBe(true);
  });
});

describe("the status page", () => {
  it("shows each service's split, its rollout over its steps, its versions, and stored text escaped", async () => {
    const h = new RolloutHarness("paged");
    const hostile = '<script>alert("x")</script>';
    await h.apply(
      rolloutService(
        "paged",
        env.CANARY_ORIGIN,
        {
          strategy: "canary",
          steps: [{ weight: 10, bake: "5m" }, { pause: true }, { weight: 50, bake: "5m" }],
          analysis: { minRequests: 10, maxErrorRatePercent: 5, maxP95Ms: 1500 },
        },
        {
          versions: {
            stable: { origin: env.STABLE_ORIGIN, release: `v1${hostile}` },
            canary: { origin: env.CANARY_ORIGIN, release: "v2" },
          },
        },
      ),
    );
    await h.command("start", { reason: `going ${hostile}` });
    await h.traffic(60);
    const response = await page("/_keystone/ui", { headers: { cookie: await session() } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await response.text();
    const section = html.slice(html.indexOf('data-service="paged"'));
    expect(section).toContain("split: stable 90% · canary 10%");
    expect(section).toMatch(/role="progressbar"[^>]*aria-valuemax="3"[^>]*aria-valuenow="0"/);
    expect(section).toContain("step 1 of 3");
    expect(section).toContain('data-threshold="5"');
    expect(section).toContain('data-threshold="1500"');
    expect(section).toMatch(/<td class="num">\d+\.\d\d<\/td>/);
    expect(section).toContain("No incidents recorded.");
    // Stored text from the config and the history is text, never markup.
    expect(html).not.toContain("<script");
    expect(section).toContain("v1&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(section).toContain("going &lt;script&gt;");
    expect(html).toContain('<meta http-equiv="refresh" content="5"/>');
    // The page's own time reads like every other time on it (2026-11-22 10:09:00Z), not ISO.
    expect(html).toMatch(/service\(s\) · \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ · refreshes every 5 s/);
  });
});

describe("a rollout in progress on the status page", () => {
  /** A canary of v2 (its release label hostile markup) against v1, started. */
  async function started(name: string, release = "v2") {
    const h = new RolloutHarness(name);
    await h.apply(
      rolloutService(
        name,
        env.CANARY_ORIGIN,
        {
          strategy: "canary",
          steps: [{ weight: 10, bake: "5m" }, { pause: true }],
          analysis: { minRequests: 10, maxErrorRatePercent: 5 },
        },
        {
          versions: {
            stable: { origin: env.STABLE_ORIGIN, release: "v1" },
            canary: { origin: env.CANARY_ORIGIN, release },
          },
        },
      ),
    );
    expect((await h.command("start")).status).toBe(200);
    return h;
  }

  /** The service's own section of the page, not the ones after it. */
  async function sectionOf(name: string, cookie: string): Promise<string> {
    const html = await (await page("/_keystone/ui", { headers: { cookie } })).text();
    const from = html.indexOf(`data-service="${name}"`);
    expect(from).toBeGreaterThan(0);
    return html.slice(from, html.indexOf("</section>", from));
  }

  it("names the release being rolled out beside its candidate track, escaped, and still after it ended", async () => {
    const h = await started("paged-release", "v2<img src=x onerror=alert(1)>");
    const cookie = await session();
    const named =
      'rollout of <strong>canary</strong> (release <strong class="candidate-release">v2&lt;img src=x onerror=alert(1)&gt;</strong>) against stable';
    const running = await sectionOf("paged-release", cookie);
    expect(running).toContain(named);
    expect(running).not.toContain("<img");
    await h.command("abort", { reason: "wrong build" });
    expect(await sectionOf("paged-release", cookie)).toContain(named);
  });

  it("says when the cron next judges it, relative, at the time rollout status gives; none once paused or ended", async () => {
    const h = await started("paged-next");
    const cookie = await session();
    const status = (await (await h.api("GET", "/services/paged-next/rollout")).json()) as {
      nextTickAt: string;
    };
    const due = Date.parse(status.nextTickAt);
    // The page counts from when it was drawn: between these two readings of the clock, however
    // long drawing it took on a busy machine.
    const before = Date.now();
    const section = await sectionOf("paged-next", cookie);
    const after = Date.now();
    const shown = /next analysis in (\d+) s/.exec(section);
    expect(shown, section).not.toBeNull();
    expect(Number(shown![1])).toBeGreaterThan(0);
    expect(Number(shown![1])).toBeGreaterThanOrEqual(Math.ceil((due - after) / 1000));
    expect(Number(shown![1])).toBeLessThanOrEqual(Math.ceil((due - before) / 1000));

    // Paused by an operator, no tick judges it (as its bake does not count down); ended, none is due.
    await h.command("pause", { reason: "looking" });
    expect(await sectionOf("paged-next", cookie)).not.toContain("next analysis");
    await h.command("abort", { reason: "done looking" });
    expect(await sectionOf("paged-next", cookie)).not.toContain("next analysis");
  });
});

describe("roles on the status page", () => {
  it("after a blue/green promotion, green is the baseline (as the config says) and blue the next candidate", async () => {
    const h = new RolloutHarness("paged-bg");
    await h.apply(blueGreenService("paged-bg", {}));
    await h.command("start");
    const cookie = await session();
    const during = await (await page("/_keystone/ui", { headers: { cookie } })).text();
    const running = during.slice(during.indexOf('data-service="paged-bg"'));
    expect(running).toContain('<tr class="role-baseline" data-version="blue">');
    expect(running).toContain('<tr class="role-candidate" data-version="green">');
    expect((await h.command("promote", { full: true })).status).toBe(200);
    const config = (await (await h.api("GET", "/services/paged-bg")).json()) as {
      config: { baseline: string };
    };
    expect(config.config.baseline).toBe("green");
    const after = await (await page("/_keystone/ui", { headers: { cookie } })).text();
    const promoted = after.slice(after.indexOf('data-service="paged-bg"'));
    expect(promoted).toContain('<tr class="role-baseline" data-version="green">');
    expect(promoted).toContain('<tr class="role-candidate" data-version="blue">');
  });
});

describe("incidents on the status page", () => {
  it("lists an aborted rollout's incident and shows it on its own page, who aborted and why, escaped", async () => {
    const h = new RolloutHarness("paged-incident");
    const hostile = "<img src=x onerror=alert(1)>";
    await h.apply(
      rolloutService("paged-incident", env.CANARY_ORIGIN, {
        strategy: "canary",
        steps: [{ weight: 10, bake: "5m" }],
        analysis: { minRequests: 10, maxErrorRatePercent: 5 },
      }),
    );
    await h.command("start", { author: "ana" });
    await h.command("abort", { author: "bo", reason: `bad build ${hostile}` });
    const cookie = await session();
    const html = await (await page("/_keystone/ui", { headers: { cookie } })).text();
    const section = html.slice(html.indexOf('data-service="paged-incident"'));
    expect(section).toContain('<li data-incident="1">');
    expect(section).toContain('href="/_keystone/ui/services/paged-incident/incidents/1"');
    expect(section).toContain("Incident 1: aborted (v2)");

    const own = await page("/_keystone/ui/services/paged-incident/incidents/1", {
      headers: { cookie },
    });
    expect(own.status).toBe(200);
    expect(own.headers.get("content-security-policy")).toContain("default-src 'none'");
    const detail = await own.text();
    expect(detail).toContain("Incident 1 of paged-incident: rollout aborted");
    expect(detail).toMatch(/by an operator \(bo\)/);
    expect(detail).toContain("bad build &lt;img src=x onerror=alert(1)&gt;");
    expect(detail).not.toContain("<img");
    expect(detail).toContain('data-event="rollout.started"');

    const missing = await page("/_keystone/ui/services/paged-incident/incidents/7", {
      headers: { cookie },
    });
    expect(missing.status).toBe(404);
  });

  /** A service whose rollout was aborted: its incident 1, at the path returned. */
  async function abortedIncident(name: string): Promise<string> {
    const h = new RolloutHarness(name);
    await h.apply(
      rolloutService(name, env.CANARY_ORIGIN, {
        strategy: "canary",
        steps: [{ weight: 10, bake: "5m" }],
        analysis: { minRequests: 10, maxErrorRatePercent: 5 },
      }),
    );
    await h.command("start");
    await h.command("abort", { reason: "bad build" });
    return `/_keystone/ui/services/${name}/incidents/1`;
  }

  it("refreshes an incident's own page every 5 seconds, as the services' page does", async () => {
    const path = await abortedIncident("paged-refresh");
    const detail = await (await page(path, { headers: { cookie: await session() } })).text();
    expect(detail).toContain("Incident 1 of paged-refresh: rollout aborted");
    expect(detail).toContain('<meta http-equiv="refresh" content="5"/>');
  });

  it("signing in from an incident's link returns to that incident", async () => {
    const path = await abortedIncident("paged-return");
    // Signed out: to the sign-in form, which carries the incident's path through the sign-in.
    const signedOut = await page(path);
    expect(signedOut.status).toBe(303);
    const form = signedOut.headers.get("location")!;
    expect(form).toBe(`/_keystone/ui?returnTo=${encodeURIComponent(path)}`);
    const html = await (await page(form)).text();
    expect(html).toContain(`<input type="hidden" name="returnTo" value="${path}"/>`);
    const back = await signIn("test-read-token", ORIGIN, ORIGIN, { returnTo: path });
    expect(back.status).toBe(303);
    expect(back.headers.get("location")).toBe(path);
    const landed = await page(path, { headers: { cookie: cookieOf(back) } });
    expect(landed.status).toBe(200);
    expect(await landed.text()).toContain("Incident 1 of paged-return: rollout aborted");
    // A wrong token keeps the way back in the form it shows again.
    const wrong = await signIn("not-the-token", ORIGIN, ORIGIN, { returnTo: path });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain(`name="returnTo" value="${path}"`);
  });

  it("returns after sign-in only to a same-origin path under the status page: no open redirect", async () => {
    const refused = [
      "//evil.example",
      "https://evil.example",
      "/\\evil",
      "/\\evil.example/_keystone/ui",
      "/\t/evil.example",
      "https://edge.test/_keystone/ui",
      "/_keystone/ui/../admin",
      "/_keystone/uievil",
      "/_keystone/v1/services",
      "javascript:alert(1)",
    ];
    for (const returnTo of refused) {
      const response = await signIn("test-read-token", ORIGIN, ORIGIN, { returnTo });
      expect(response.status, returnTo).toBe(303);
      expect(response.headers.get("location"), returnTo).toBe("/_keystone/ui");
      const form = await (
        await page(`/_keystone/ui?returnTo=${encodeURIComponent(returnTo)}`)
      ).text();
      expect(form, returnTo).not.toContain('name="returnTo"');
    }
    const own = await signIn("test-read-token", ORIGIN, ORIGIN, {
      returnTo: "/_keystone/ui/services/a%22b/incidents/1?x=1",
    });
    expect(own.headers.get("location")).toBe("/_keystone/ui/services/a%22b/incidents/1?x=1");
  });

  it("/_keystone/ui/ with a trailing slash leads to the page", async () => {
    const cookie = await session();
    const slash = await page("/_keystone/ui/", { headers: { cookie } });
    expect(slash.status).toBe(301);
    expect(slash.headers.get("location")).toBe(`${ORIGIN}/_keystone/ui`);
    const landed = await page("/_keystone/ui", { headers: { cookie } });
    expect(landed.status).toBe(200);
    expect(await landed.text()).toContain("Sign out");
  });
});

describe("an apply --force in history", () => {
  it("is marked forced, over the release that served, in the history's detail and on the page", async () => {
    const h = new RolloutHarness("paged-forced");
    const file = rolloutService("paged-forced", env.CANARY_ORIGIN, {
      strategy: "canary",
      steps: [{ weight: 10, bake: "5m" }],
      analysis: { minRequests: 10, maxErrorRatePercent: 5 },
    });
    await h.apply(file);
    await h.command("start");
    expect((await h.command("promote", { full: true })).status).toBe(200);
    // The file again after the promotion would serve v1 where v2 serves: refused, then forced.
    const refused = await h.api("PUT", "/services/paged-forced", { config: file });
    expect(refused.status).toBe(409);
    const forced = await h.api("PUT", "/services/paged-forced", { config: file, force: true });
    expect(forced.status, await forced.clone().text()).toBe(200);
    // The same file again: nothing to override, nothing stored.
    expect((await h.api("PUT", "/services/paged-forced", { config: file })).status).toBe(200);
    const { history } = (await (await h.api("GET", "/services/paged-forced/history")).json()) as {
      history: { type: string; detail: Record<string, unknown> | null }[];
    };
    const applied = history.filter((e) => e.type === "config.applied");
    expect(applied.map((e) => e.detail?.forced ?? false)).toEqual([false, true]);
    expect(applied[1]!.detail).toMatchObject({
      forced: true,
      forcedOver: { name: "v2", origin: env.CANARY_ORIGIN },
    });
    const html = await (
      await page("/_keystone/ui", { headers: { cookie: await session() } })
    ).text();
    const section = html.slice(html.indexOf('data-service="paged-forced"'));
    expect(section).toContain("<td>config applied, forced over v2 serving</td>");
  });
});
