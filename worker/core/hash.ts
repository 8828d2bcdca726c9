// Visitor bucketing: a fast, well-mixed hash of (salt, key) into 0..9999.
import { BUCKETS } from "../../schemas/split.ts";

/** FNV-1a over UTF-16 units, finished with murmur3's fmix32 so nearby keys spread evenly. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The visitor's bucket for one salt: stable for the same (salt, key), independent across salts. */
export function bucketOf(salt: string, visitorKey: string): number {
  return hash32(`${salt}\u0000${visitorKey}`) % BUCKETS;
}
