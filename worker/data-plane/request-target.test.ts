import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type RequestTarget, targetOf } from "./request-target.ts";

const partsOf = (t: RequestTarget) => ({
  protocol: t.protocol,
  host: t.host,
  hostname: t.hostname,
  pathname: t.pathname,
  search: t.search,
});

/** What the URL API says for the same serialized URL, the root's trailing dot dropped from hostname. */
const expected = (href: string) => {
  const parts = partsOf(new URL(href));
  return { ...parts, hostname: parts.hostname.replace(/(.)\.$/, "$1") };
};

describe("the request's URL split at its delimiters", () => {
  it("gives what the URL API gives for awkward but valid request URLs", () => {
    for (const raw of [
      "https://shop.example.com/",
      "https://shop.example.com/api/items?page=2",
      "http://127.0.0.1:8787//evil.example/x?q=1",
      "https://[2001:db8::1]:8443/a/b%20c?x=1&y=two&x=3",
      "https://[::1]/",
      "https://shop.example.com/a?",
      "https://shop.example.com/a?b#frag?x",
      "https://shop.example.com/a#only-a-fragment",
      "https://shop.example.com/%61pi/..%2Fx/@host?a=%20#",
      "https://user:pw@shop.example.com/with-credentials",
      "https://SHOP.Example.COM:443/caps",
      "https://shop.example.com./fully-qualified",
      "https://shop.example.com.:8443/fully-qualified?port",
      "https://user@shop.example.com./credentials-and-root",
    ]) {
      const href = new URL(raw).href;
      expect(partsOf(targetOf(href)), href).toEqual(expected(href));
    }
  });

  it("names a fully qualified host (trailing dot) as the host routing knows", () => {
    expect(targetOf("https://shop.example.com./a").hostname).toBe("shop.example.com");
    expect(targetOf("https://shop.example.com./a").host).toBe("shop.example.com.");
    expect(targetOf("https://u@shop.example.com./a").hostname).toBe("shop.example.com");
    expect(targetOf("https://shop.example.com../a").hostname).toBe("shop.example.com.");
  });

  it("agrees with the URL API on any web URL", () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (raw) => {
        const href = new URL(raw).href;
        expect(partsOf(targetOf(href))).toEqual(expected(href));
      }),
      { numRuns: 200 },
    );
  }, 60_000);
});
