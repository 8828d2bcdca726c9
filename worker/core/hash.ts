// Visitor bucketing: a well-mixed hash of (salt, visitor key) into 0..9999. With a bucket key
// (the BUCKET_SECRET secret) it is HalfSipHash-2-4, a keyed pseudo-random function: a client that
// does not know the key cannot work out which visitor ids land on a candidate, nor pick one.
// Without one it is the unkeyed hash Keystone used before (FNV-1a, murmur3's finish), so buckets,
// and every visitor's version, stay where they were until an operator sets the secret.
import { sha256 } from "@noble/hashes/sha2.js";
import { BUCKETS } from "../../schemas/buckets.ts";

/** HalfSipHash's 64-bit key, as two little-endian 32-bit words. */
export type BucketKey = readonly [number, number];

/**
 * A salt prepared once per config revision: a request then hashes only its visitor key, with no
 * string built. `keyed` says which hash; the other fields are that hash's state after the salt.
 */
export interface BucketSeed {
  keyed: boolean;
  /** FNV-1a state after the salt and a separator (unkeyed). */
  fnv: number;
  /** HalfSipHash state after the salt, a separator and padding to a whole word (keyed). */
  v0: number;
  v1: number;
  v2: number;
  v3: number;
  /** Bytes absorbed so far (the salt's UTF-16 code units, two bytes each, and padding). */
  bytes: number;
}

/** The bucket key of a secret: the first 8 bytes of its SHA-256; none without a secret. */
export function bucketKeyOf(secret: string | undefined): BucketKey | undefined {
  if (!secret) return undefined;
  const digest = sha256(new TextEncoder().encode(`keystone-buckets\n${secret}`));
  const words = new DataView(digest.buffer, digest.byteOffset, 8);
  return [words.getUint32(0, true), words.getUint32(4, true)];
}

const FNV_OFFSET = 0x811c9dc5;

function fnv(state: number, text: string): number {
  let h = state;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

/** murmur3's fmix32, so nearby keys spread evenly. */
function finish(state: number): number {
  let h = state;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * HalfSipHash-2-4 (Aumasson and Bernstein's reference, 32-bit output) over the UTF-16LE bytes of
 * a text (two code units per 32-bit word), continuing from a seed: the salt absorbed, or a key's
 * initial state. The state lives in locals (a typed array costs 4× as much) and one loop body
 * does every round: each word's two, then the finalization's four. With `finish` false (the text
 * of whole words) it stops before the last word and leaves the state in `absorbed`.
 */
function sip(seed: BucketSeed, text: string, finish: boolean): number {
  let v0 = seed.v0;
  let v1 = seed.v1;
  let v2 = seed.v2;
  let v3 = seed.v3;
  const whole = text.length & ~1;
  const end = finish ? whole + 2 : whole - 2;
  for (let i = 0; i <= end; i += 2) {
    let m = 0;
    let rounds = 2;
    if (i < whole) m = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
    else if (i === whole) {
      // The last word: what is left (one code unit or none) and the length in bytes, mod 256.
      const tail = whole < text.length ? text.charCodeAt(whole) : 0;
      m = tail | (((seed.bytes + 2 * text.length) & 0xff) << 24);
    } else {
      v2 ^= 0xff;
      rounds = 4;
    }
    v3 ^= m;
    for (let round = 0; round < rounds; round++) {
      v0 = (v0 + v1) | 0;
      v1 = (v1 << 5) | (v1 >>> 27);
      v1 ^= v0;
      v0 = (v0 << 16) | (v0 >>> 16);
      v2 = (v2 + v3) | 0;
      v3 = (v3 << 8) | (v3 >>> 24);
      v3 ^= v2;
      v0 = (v0 + v3) | 0;
      v3 = (v3 << 7) | (v3 >>> 25);
      v3 ^= v0;
      v2 = (v2 + v1) | 0;
      v1 = (v1 << 13) | (v1 >>> 19);
      v1 ^= v2;
      v2 = (v2 << 16) | (v2 >>> 16);
    }
    v0 ^= m;
  }
  if (!finish) absorbed = { ...seed, v0, v1, v2, v3, bytes: seed.bytes + 2 * text.length };
  return (v1 ^ v3) >>> 0;
}

/** Where `sip` leaves the state of a salt it absorbed (seeds are made once per config revision). */
let absorbed: BucketSeed | undefined;

/** HalfSipHash's state before any input, for a key. */
function initialState(key: BucketKey): BucketSeed {
  const [k0, k1] = key;
  return {
    keyed: true,
    fnv: 0,
    v0: k0 | 0,
    v1: k1 | 0,
    v2: (0x6c796765 ^ k0) | 0,
    v3: (0x74656462 ^ k1) | 0,
    bytes: 0,
  };
}

/** HalfSipHash-2-4 of a text's UTF-16LE bytes under a key (the reference's test vectors apply). */
export function halfSipHash(key: BucketKey, text: string): number {
  return sip(initialState(key), text, true);
}

/**
 * The seed of a salt, computed once per config revision. Keyed: the salt's code units, a zero
 * unit (no salt holds one) and padding to a whole word are absorbed now, the visitor key later.
 */
export function saltSeed(salt: string, key?: BucketKey): BucketSeed {
  if (!key) {
    const state = fnv(fnv(FNV_OFFSET, salt), "\u0000");
    return { keyed: false, fnv: state, v0: 0, v1: 0, v2: 0, v3: 0, bytes: 0 };
  }
  const units = salt.length % 2 === 0 ? `${salt}\u0000\u0000` : `${salt}\u0000`;
  sip(initialState(key), units, false);
  return absorbed!;
}

/** The visitor's bucket for one salt seed: stable for the same (salt, key), independent across salts. */
export function bucketFor(seed: BucketSeed, visitorKey: string): number {
  return (seed.keyed ? sip(seed, visitorKey, true) : finish(fnv(seed.fnv, visitorKey))) % BUCKETS;
}

export function bucketOf(salt: string, visitorKey: string, key?: BucketKey): number {
  return bucketFor(saltSeed(salt, key), visitorKey);
}
