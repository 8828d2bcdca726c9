// Visitor bucketing: a fast, well-mixed hash of (salt, key) into 0..9999.
import { BUCKETS } from "../../schemas/split.ts";

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
 * The FNV state after `salt` and a separator, computed once per config revision: a request then
 * hashes only its visitor key, with no string built.
 */
export function saltSeed(salt: string): number {
  return fnv(fnv(FNV_OFFSET, salt), "\u0000");
}

/** The visitor's bucket for one salt seed: stable for the same (salt, key), independent across salts. */
export function bucketFor(seed: number, visitorKey: string): number {
  return finish(fnv(seed, visitorKey)) % BUCKETS;
}

export function bucketOf(salt: string, visitorKey: string): number {
  return bucketFor(saltSeed(salt), visitorKey);
}
