// The keyed bucket hash is HalfSipHash-2-4 as its authors specify it: their test vectors, on
// inputs of whole UTF-16 code units (bytes 0..n-1 of even length n, two bytes per unit).
import { describe, expect, it } from "vitest";
import { type BucketKey, bucketFor, bucketKeyOf, bucketOf, halfSipHash, saltSeed } from "./hash.ts";

/** vectors_hsip32 of the reference implementation (veorq/SipHash vectors.h), even lengths. */
const VECTORS: Record<number, number[]> = {
  0: [0xa9, 0x35, 0x9f, 0x5b],
  2: [0xfa, 0x62, 0xa6, 0x03],
  4: [0x2a, 0x6e, 0x46, 0x89],
  6: [0x58, 0x63, 0xfc, 0x23],
  8: [0xd0, 0xb8, 0x84, 0x8f],
  10: [0x94, 0xb0, 0x79, 0x34],
  12: [0x57, 0xf0, 0x87, 0x2f],
  14: [0xd6, 0xff, 0xf8, 0x7c],
  16: [0xd9, 0xb5, 0xac, 0x84],
  18: [0x46, 0x5b, 0x8d, 0x9b],
  20: [0xe3, 0x4d, 0x10, 0x45],
  22: [0x70, 0xf3, 0x67, 0xfe],
  24: [0x27, 0x40, 0x0c, 0x63],
  26: [0x4f, 0x56, 0x7b, 0x5f],
  28: [0xb0, 0x64, 0x40, 0x00],
  30: [0x50, 0x9e, 0x33, 0x8b],
  32: [0xfe, 0xe7, 0x21, 0x12],
  62: [0xbd, 0x83, 0x99, 0x7a],
};

/** The key 00 01 … 07 of the reference's tests. */
const KEY: BucketKey = [0x03020100, 0x07060504];

/** Bytes 0..n-1 as n/2 UTF-16 code units, little-endian. */
function bytesAsUnits(n: number): string {
  let text = "";
  for (let i = 0; i < n; i += 2) text += String.fromCharCode(i | ((i + 1) << 8));
  return text;
}

describe("the keyed bucket hash", () => {
  it("is HalfSipHash-2-4: the reference implementation's test vectors", () => {
    for (const [length, bytes] of Object.entries(VECTORS)) {
      const expected = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
      expect(halfSipHash(KEY, bytesAsUnits(Number(length))), `${length} bytes`).toBe(expected);
    }
  });

  it("a salt seed continues the same hash: salt, a zero unit and padding, then the visitor", () => {
    const key = bucketKeyOf("a secret")!;
    for (const salt of ["shop", "shops", ""]) {
      const padded = salt.length % 2 === 0 ? `${salt}\u0000\u0000` : `${salt}\u0000`;
      for (const visitor of ["", "v", "visitor-1", "6f1c2b9e-1d2c-4c1e-9a4b-0c8d7e6f5a4b"])
        expect(bucketFor(saltSeed(salt, key), visitor)).toBe(
          halfSipHash(key, padded + visitor) % 10_000,
        );
    }
  });

  it("another key moves buckets; no key keeps the buckets of before", () => {
    const ids = Array.from({ length: 200 }, (_, i) => `visitor-${i}`);
    const a = ids.map((id) => bucketOf("shop", id, bucketKeyOf("one")));
    const b = ids.map((id) => bucketOf("shop", id, bucketKeyOf("two")));
    expect(a.filter((bucket, i) => bucket === b[i]).length).toBeLessThan(5);
    // The unkeyed hash, pinned: a deployment without BUCKET_SECRET keeps every visitor's bucket.
    expect(bucketOf("shop", "visitor-1")).toBe(bucketOf("shop", "visitor-1", undefined));
    expect(bucketKeyOf(undefined)).toBeUndefined();
    expect(bucketKeyOf("")).toBeUndefined();
  });
});
