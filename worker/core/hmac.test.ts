// The request path signs and checks tokens without node:crypto: the same signatures, byte for
// byte, as the node:crypto code before it (tokens and pins issued by an isolate of the release
// before must still verify), and the same bucket keys.
import { createHash, createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { base64urlToText, bytesToBase64url, textToBase64url } from "./base64url.ts";
import { bucketKeyOf } from "./hash.ts";
import { sign, signatureMatches } from "./hmac.ts";

describe("HMAC-SHA256 tokens without node:crypto", () => {
  it("signs exactly as node:crypto's createHmac did, for any secret and payload", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", minLength: 1 }),
        fc.string({ unit: "binary" }),
        (secret, payload) => {
          expect(sign(secret, payload)).toBe(
            createHmac("sha256", secret).update(payload).digest("base64url"),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it("signs a secret or payload with lone surrogates as node:crypto did (both replace them in UTF-8)", () => {
    for (const [secret, payload] of [
      ["\ud800secret", "k1.shop.\udc00"],
      ["s\udfff", "\ud83d"],
      ["\ud83d\ude00", "pair"],
    ] as const)
      expect(sign(secret, payload)).toBe(
        createHmac("sha256", secret).update(payload).digest("base64url"),
      );
  });

  it("accepts its own signature and nothing else: another length, one character off, no secret", () => {
    const signature = sign("s3cret", "k1.shop.abc");
    expect(signatureMatches("s3cret", "k1.shop.abc", signature)).toBe(true);
    expect(signatureMatches("s3cret", "k1.shop.abd", signature)).toBe(false);
    expect(signatureMatches("other", "k1.shop.abc", signature)).toBe(false);
    expect(signatureMatches("", "k1.shop.abc", sign("", "k1.shop.abc"))).toBe(false);
    expect(signatureMatches("s3cret", "k1.shop.abc", signature.slice(1))).toBe(false);
    expect(signatureMatches("s3cret", "k1.shop.abc", `${signature}A`)).toBe(false);
    const last = signature.at(-1) === "A" ? "B" : "A";
    expect(signatureMatches("s3cret", "k1.shop.abc", signature.slice(0, -1) + last)).toBe(false);
  });

  it("derives the bucket key exactly as node:crypto's SHA-256 did", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", minLength: 1 }), (secret) => {
        const digest = createHash("sha256").update(`keystone-buckets\n${secret}`).digest();
        expect(bucketKeyOf(secret)).toEqual([digest.readUInt32LE(0), digest.readUInt32LE(4)]);
      }),
      { numRuns: 500 },
    );
  });
});

describe("base64url without node:buffer", () => {
  it("encodes bytes and text as Buffer's base64url did, and reads text back", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.string({ unit: "binary" }),
        (bytes, text) => {
          expect(bytesToBase64url(bytes)).toBe(Buffer.from(bytes).toString("base64url"));
          const encoded = textToBase64url(text);
          expect(encoded).toBe(Buffer.from(text).toString("base64url"));
          expect(base64urlToText(encoded)).toBe(Buffer.from(encoded, "base64url").toString());
        },
      ),
      { numRuns: 1000 },
    );
  });
});
