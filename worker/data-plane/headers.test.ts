import { describe, expect, it } from "vitest";
import type { Verdict } from "../core/decide.ts";
import { originHeaders, withClientHeaders } from "./headers.ts";
import type { RequestTarget } from "./request-target.ts";

const url: RequestTarget = {
  protocol: "https:",
  host: "shop.example.com",
  hostname: "shop.example.com",
  pathname: "/",
  search: "",
};
const verdict = {
  version: { name: "stable" },
  experiments: [],
  service: { forwardedFor: "append" },
  visitorToken: undefined,
} as unknown as Verdict;

describe("headers a Connection header lists", () => {
  it("are stripped however long the list, with a runtime call per header present, not per name", () => {
    // 16 KB of names: a delete per name listed is a call into the runtime each (2 ms in workerd).
    const listed = Array.from({ length: 8_000 }, (_, i) => `h${i}`);
    const connection = ` ${listed.join(" , ")}, H7 ,a,a,a, X-Secret`;
    const incoming = new Headers({
      connection,
      "x-secret": "1",
      h7: "1",
      h7999: "1",
      accept: "*/*",
      "keep-alive": "timeout=5",
    });
    const { headers, deletes } = countingDeletes(() => originHeaders(incoming, url, verdict));
    for (const name of ["x-secret", "h7", "h7999", "connection", "keep-alive"])
      expect(headers.has(name), name).toBe(false);
    expect(headers.get("accept")).toBe("*/*");
    expect(deletes).toBeLessThanOrEqual([...incoming.keys()].length);
  });

  it("a short list is stripped as listed, names that are no header names left alone", () => {
    const incoming = new Headers({ connection: "not a name, X-Secret, ", "x-secret": "1", a: "2" });
    const { headers } = countingDeletes(() => originHeaders(incoming, url, verdict));
    expect(headers.has("x-secret")).toBe(false);
    expect(headers.get("a")).toBe("2");
  });
});

describe("a client's Forwarded header (forwardedFor: append)", () => {
  /** The elements of a Forwarded value as an RFC 7239 reader splits them: commas outside quotes. */
  function elementsOf(value: string): string[] {
    const elements: string[] = [];
    let current = "";
    let quoted = false;
    for (let i = 0; i < value.length; i++) {
      const char = value[i]!;
      if (quoted && char === "\\") {
        current += char + (value[i + 1] ?? "");
        i++;
        continue;
      }
      if (char === '"') quoted = !quoted;
      if (char === "," && !quoted) {
        elements.push(current.trim());
        current = "";
      } else current += char;
    }
    elements.push(current.trim());
    return elements;
  }
  const ours = 'for=203.0.113.9;host="shop.example.com";proto=https';
  const forwarded = (value: string) =>
    originHeaders(
      new Headers({ forwarded: value, "cf-connecting-ip": "203.0.113.9" }),
      url,
      verdict,
    ).get("forwarded")!;

  it("is kept when well formed, Keystone's element last", () => {
    const value = 'for=198.51.100.7;proto=http, for="[2001:db8::1]:4711";by=_hidden';
    expect(forwarded(value)).toBe(`${value}, ${ours}`);
    expect(elementsOf(forwarded(value)).at(-1)).toBe(ours);
  });

  it("is dropped when malformed: an unclosed quote cannot swallow the element Keystone adds", () => {
    // The origin reads the last element as the one its proxy wrote: with the client's quote left
    // open, Keystone's element was inside the client's quoted string and for=1.2.3.4 was last.
    for (const hostile of [
      'for=1.2.3.4;host="evil',
      'for=1.2.3.4;host="evil\\"',
      'for=1.2.3.4, for="',
      "for=1.2.3.4;host=a b",
      "for=1.2.3.4;=x",
      "for",
    ]) {
      const value = forwarded(hostile);
      expect(value, hostile).toBe(ours);
      expect(elementsOf(value).at(-1), hostile).toBe(ours);
    }
  });
});

function countingDeletes(run: () => Headers): { headers: Headers; deletes: number } {
  const remove = Headers.prototype.delete;
  let deletes = 0;
  Headers.prototype.delete = function (this: Headers, name: string) {
    deletes++;
    return remove.call(this, name);
  };
  try {
    return { headers: run(), deletes };
  } finally {
    Headers.prototype.delete = remove;
  }
}

describe("x-keystone-release to the client", () => {
  /** The client's answer for a verdict of `reason` to a version running `release`. */
  const answered = (reason: Verdict["reason"], release: string | undefined, expose = false) => {
    const origin = new Response("ok", { headers: { "x-keystone-release": "the origin's own" } });
    const decided = {
      ...verdict,
      reason,
      version: { name: "canary", release },
      service: { exposeVersionHeader: expose },
      setCookie: undefined,
    } as unknown as Verdict;
    return withClientHeaders(origin, decided, url).headers;
  };

  it("on an override token's answer is Keystone's word, never an origin's header of that name", () => {
    const override = { kind: "override", expiresAt: 0 } as const;
    const forced = answered(override, "v2.0.0");
    expect(forced.get("x-keystone-release")).toBe("v2.0.0");
    // The version too, though the service keeps its version header from other clients.
    expect(forced.get("x-keystone-version")).toBe("canary");
    expect(answered(override, undefined).get("x-keystone-release")).toBeNull();
  });

  it("is not added to any other answer (the origin's own header passes as it came)", () => {
    const others: Verdict["reason"][] = [
      { kind: "split" },
      { kind: "affinity", expiresAt: 0 },
      { kind: "wave-outside" },
      { kind: "rule", rule: "preview-blue", split: false },
      { kind: "experiment", experiment: "checkout", variant: "b" },
      // A token's version halted by a rollback: the baseline answers, and it was not forced.
      { kind: "halted", from: "canary" },
    ];
    for (const reason of others) {
      // With the version header on, the answer is a copy Keystone adds to: the release must
      // still not be among what it adds.
      const headers = answered(reason, "v2.0.0", true);
      expect(headers.get("x-keystone-version"), reason.kind).toBe("canary");
      expect(headers.get("x-keystone-release"), reason.kind).toBe("the origin's own");
      expect(answered(reason, "v2.0.0").get("x-keystone-version"), reason.kind).toBeNull();
    }
  });
});

describe("a client's own address headers", () => {
  it("in a CGI spelling (x_real_ip, x.real.ip: HTTP_X_REAL_IP to CGI, Rack and PHP) reach the origin as CF-Connecting-IP too", () => {
    // As x_keystone_version reads as HTTP_X_KEYSTONE_VERSION (security.md row 7), a client's
    // x_real_ip is the origin's HTTP_X_REAL_IP: corrected like X-Real-IP, or it names the client.
    const spellings = [
      "x_real_ip",
      "x.real.ip",
      "true_client_ip",
      "client_ip",
      "x-cluster_client-ip",
    ];
    const claimed = (ip?: string) =>
      new Headers({
        ...Object.fromEntries(spellings.map((name) => [name, "10.0.0.1"])),
        ...(ip ? { "cf-connecting-ip": ip } : {}),
        x_realip: "kept",
      });
    const seen = originHeaders(claimed("203.0.113.9"), url, verdict);
    for (const name of spellings) expect(seen.get(name), name).toBe("203.0.113.9");
    // Another variable (HTTP_X_REALIP) is no claim, and without an address the claims go.
    expect(seen.get("x_realip")).toBe("kept");
    const anonymous = originHeaders(claimed(), url, verdict);
    for (const name of spellings) expect(anonymous.has(name), name).toBe(false);
  });

  it("in a CGI spelling of a forwarding header Keystone writes (x_forwarded_for, x.forwarded.host) are dropped", () => {
    const spellings = ["x_forwarded_for", "x.forwarded.host", "x_forwarded-proto"];
    const seen = originHeaders(
      new Headers({
        ...Object.fromEntries(spellings.map((name) => [name, "10.0.0.1"])),
        "cf-connecting-ip": "203.0.113.9",
        x_forwarded: "kept",
      }),
      url,
      verdict,
    );
    for (const name of spellings) expect(seen.has(name), name).toBe(false);
    expect(seen.get("x-forwarded-for")).toBe("203.0.113.9");
    // HTTP_X_FORWARDED is no header Keystone writes.
    expect(seen.get("x_forwarded")).toBe("kept");
  });
});
