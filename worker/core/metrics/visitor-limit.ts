// No visitor decides a step: how often one visitor, and one client address, count in a rollout's
// analysis window, bounded in the isolate before outcomes are batched (so the bound holds across
// flushes). A window here is a publication of the service (its sequence): each step, weight
// change or rollback publishes anew, so the counts start again with the window the tick reads.
// Past the bound an outcome is still recorded, under "visitor-limit", which analysis leaves out.
// Pure: the caller passes the service's name, sequence and limit.

import { parseIp } from "../../../schemas/cidr.ts";

/** The outcome route of a request over its visitor's or address's bound. */
export const VISITOR_LIMIT_ROUTE = "visitor-limit";

/** Analysed requests of one visitor counted per window, unless the policy says otherwise. */
export const DEFAULT_MAX_REQUESTS_PER_VISITOR = 20;

/**
 * One client address counts this many times its visitor's bound: a client sending a fresh visitor
 * id with every request is still one address, while a NAT with a few visitors behind it is not cut.
 */
export const ADDRESS_FACTOR = 10;

/**
 * Visitors (and addresses) tracked per service and window; past it only addresses bound new
 * visitors, and a new address is not counted.
 */
export const MAX_TRACKED = 50_000;

interface Window {
  sequence: number;
  visitors: Map<string, number>;
  addresses: Map<string, number>;
}

/**
 * The key an address is bounded by: an IPv4 address as it is, an IPv6 address by its /64. A /64
 * is one subscriber's network (a home, a phone, a server): a client there can send each request
 * from a fresh address of its 2^64, which a per-address count would never see twice.
 */
export function addressKey(address: string): string {
  if (!address.includes(":")) return address;
  const ip = parseIp(address);
  if (ip?.family !== 6) return address;
  // An IPv4-mapped address (::ffff:a.b.c.d) is that IPv4 client, not a /64 shared with others.
  if (ip.value >> 32n === 0xffffn) return address;
  return `${(ip.value >> 64n).toString(16)}::/64`;
}

export class VisitorLimit {
  readonly #windows = new Map<string, Window>();
  /** Outcomes this isolate moved out of analysis (isolate counters). */
  limited = 0;

  /**
   * Whether an analysed outcome counts: its visitor has counted fewer than `limit` times in the
   * service's window, and its address (an IPv6 one by its /64) fewer than ADDRESS_FACTOR × `limit`
   * (no address: unbounded by address). Counts it when it does.
   */
  admit(
    service: string,
    sequence: number,
    visitor: string,
    address: string | null,
    limit: number,
  ): boolean {
    let window = this.#windows.get(service);
    if (!window || window.sequence !== sequence) {
      window = { sequence, visitors: new Map(), addresses: new Map() };
      this.#windows.set(service, window);
    }
    const visitorUsed = window.visitors.get(visitor) ?? 0;
    if (address !== null) address = addressKey(address);
    const addressUsed = address === null ? 0 : (window.addresses.get(address) ?? 0);
    // An address the full table cannot track could never be bounded: it is not counted at all.
    const untracked = address !== null && addressUsed === 0 && window.addresses.size >= MAX_TRACKED;
    if (visitorUsed >= limit || addressUsed >= limit * ADDRESS_FACTOR || untracked) {
      this.limited++;
      return false;
    }
    // A full table tracks no new visitor: the address bound still holds for those visitors.
    if (visitorUsed > 0 || window.visitors.size < MAX_TRACKED)
      window.visitors.set(visitor, visitorUsed + 1);
    if (address !== null) window.addresses.set(address, addressUsed + 1);
    return true;
  }
}
