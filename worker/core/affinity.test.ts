import { describe, expect, it } from "vitest";
import {
  maxPinLength,
  NO_ROLLOUT_SCOPE,
  type Pin,
  pinScopeOf,
  readPin,
  signPin,
} from "./affinity.ts";
import { TokenMemo } from "./hmac.ts";
import { readVisitor, signVisitor } from "./visitor-token.ts";

const NOW = Date.UTC(2026, 10, 21, 12);
const SECRET = "pin-secret";
const pin: Pin = { version: "canary", scope: "r1", expiresAt: NOW + 60_000 };
/** A service whose longest track name is "canary"'s. */
const BOUND = maxPinLength("canary".length);

describe("version pins", () => {
  it("a pin signed for a service reads back as given", () => {
    const token = signPin(SECRET, "shop", pin);
    expect(readPin(SECRET, "shop", token, NOW, BOUND)).toEqual(pin);
  });

  it("a forged, altered, foreign, expired or oversized pin is ignored", () => {
    const token = signPin(SECRET, "shop", pin);
    const [prefix, , scope, expires, signature] = token.split(".");
    const toStable = [prefix, "stable", scope, expires, signature].join(".");
    expect(readPin(SECRET, "shop", toStable, NOW, BOUND)).toBeUndefined();
    const later = [prefix, "canary", scope, String(Number(expires) + 3600), signature].join(".");
    expect(readPin(SECRET, "shop", later, NOW, BOUND)).toBeUndefined();
    expect(readPin("other-secret", "shop", token, NOW, BOUND)).toBeUndefined();
    expect(readPin(SECRET, "cart", token, NOW, BOUND)).toBeUndefined();
    expect(readPin(SECRET, "shop", token, pin.expiresAt, BOUND)).toBeUndefined();
    expect(readPin(SECRET, "shop", `${token}${"x".repeat(300)}`, NOW, BOUND)).toBeUndefined();
    expect(readPin(SECRET, "shop", "p1.canary.r1.9999999999.", NOW, BOUND)).toBeUndefined();
    expect(readPin("", "shop", token, NOW, BOUND)).toBeUndefined();
  });

  it("a pin for a long track name, under a rollout's scope, reads back within its service's bound", () => {
    const long: Pin = {
      version: `v-${"a".repeat(240)}`,
      scope: `${crypto.randomUUID()}!`,
      expiresAt: NOW + 60_000,
    };
    const bound = maxPinLength(long.version.length);
    const token = signPin(SECRET, "shop", long);
    expect(token.length).toBeGreaterThan(300);
    expect(readPin(SECRET, "shop", token, NOW, bound)).toEqual(long);
    expect(readPin(SECRET, "shop", `${token}${"x".repeat(200)}`, NOW, bound)).toBeUndefined();
  });

  it("a service with a 10 KB track name still refuses a 10 KB token unread: no pin is longer than a browser cookie holds", () => {
    const huge: Pin = { version: "a".repeat(10_000), scope: "r1", expiresAt: NOW + 60_000 };
    const bound = maxPinLength(huge.version.length);
    expect(bound).toBe(4096);
    // Genuine and unexpired, but past the bound: refused before its signature is computed.
    expect(readPin(SECRET, "shop", signPin(SECRET, "shop", huge), NOW, bound)).toBeUndefined();
  });
});

describe("pin scopes", () => {
  it("before any rollout pins carry the no-rollout scope; a new rollout voids every older pin", () => {
    const none = pinScopeOf(undefined);
    expect(none.current).toBe(NO_ROLLOUT_SCOPE);
    expect(none.holds({ ...pin, scope: NO_ROLLOUT_SCOPE })).toBe(true);
    const started = pinScopeOf({ scope: "r2", voided: null, wave: null });
    expect(started.holds({ ...pin, scope: NO_ROLLOUT_SCOPE })).toBe(false);
    expect(started.holds({ ...pin, scope: "r1" })).toBe(false);
    expect(started.holds({ ...pin, scope: "r2" })).toBe(true);
  });

  it("a bad end voids the candidate's pins, keeps the others, and pins given after it hold", () => {
    const ended = pinScopeOf({ scope: "r1", voided: "canary", wave: null });
    expect(ended.current).toBe("r1!");
    expect(ended.holds({ ...pin, version: "canary" })).toBe(false);
    expect(ended.holds({ ...pin, version: "stable" })).toBe(true);
    // The operator gives the candidate weight again after the rollback: those pins hold.
    expect(ended.holds({ ...pin, version: "canary", scope: "r1!" })).toBe(true);
    expect(ended.unpinned).toBeUndefined();
  });

  it("while a ramped rollback returns the candidate's share, no pin is given for the candidate", () => {
    const ramping = pinScopeOf({ scope: "r1", voided: "canary", wave: null, ramping: true });
    expect(ramping.unpinned).toBe("canary");
    expect(ramping.holds({ ...pin, version: "canary" })).toBe(false);
    expect(ramping.holds({ ...pin, version: "stable" })).toBe(true);
  });
});

describe("group visitor tokens", () => {
  it("carry any visitor key to another service of the same group, and nothing else", () => {
    const key = "2001:db8::1";
    const token = signVisitor(SECRET, "checkout", key)!;
    expect(readVisitor(SECRET, "checkout", token)).toBe(key);
    expect(readVisitor(SECRET, "other", token)).toBeUndefined();
    expect(readVisitor("wrong", "checkout", token)).toBeUndefined();
    const [prefix, group, , signature] = token.split(".");
    const swapped = [prefix, group, Buffer.from("someone-else").toString("base64url"), signature];
    expect(readVisitor(SECRET, "checkout", swapped.join("."))).toBeUndefined();
    expect(readVisitor(SECRET, "checkout", "k1.checkout.dmlzaXRvcg")).toBeUndefined();
    expect(signVisitor(SECRET, "checkout", "x".repeat(257))).toBeUndefined();
  });
});

describe("remembered tokens", () => {
  it("are kept per secret and scope, and the memory is bounded", () => {
    const memo = new TokenMemo<number>(2);
    memo.set("s1", "shop", "a", 1);
    expect(memo.get("s1", "shop", "a")).toBe(1);
    expect(memo.get("s1", "cart", "a")).toBeUndefined();
    expect(memo.get("s2", "shop", "a")).toBeUndefined();
    memo.set("s1", "shop", "b", 2);
    memo.set("s1", "shop", "c", 3);
    expect([memo.get("s1", "shop", "a"), memo.get("s1", "shop", "c")]).toEqual([undefined, 3]);
    memo.set("s2", "shop", "d", 4);
    expect([memo.get("s1", "shop", "c"), memo.get("s2", "shop", "d")]).toEqual([undefined, 4]);
  });

  it("a pin read once is still refused after its expiry, for another service, or under another secret", () => {
    const token = signPin(SECRET, "memo-shop", pin);
    expect(readPin(SECRET, "memo-shop", token, NOW, BOUND)).toEqual(pin);
    expect(readPin(SECRET, "memo-shop", token, pin.expiresAt, BOUND)).toBeUndefined();
    expect(readPin(SECRET, "memo-cart", token, NOW, BOUND)).toBeUndefined();
    expect(readPin("rotated", "memo-shop", token, NOW, BOUND)).toBeUndefined();
  });
});
