// CIDR parsing shared by the schema (validation) and the routing core (matching).

/** IPv4 as a plain 32-bit number (fast), IPv6 as a 128-bit BigInt. */
export type IpAddress = { family: 4; value: number } | { family: 6; value: bigint };

export type Cidr = { prefix: number } & (
  | { family: 4; network: number; mask: number }
  | { family: 6; network: bigint; mask: bigint }
);

/** A plain character loop, no BigInt: this runs once per request that meets an IP rule. */
function parseIpv4(text: string): number | undefined {
  let value = 0;
  let part = -1;
  let dots = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 46) {
      if (digits === 0 || ++dots > 3) return undefined;
      value = value * 256 + part;
      part = -1;
      digits = 0;
    } else if (code >= 48 && code <= 57 && digits < 3) {
      part = (part < 0 ? 0 : part * 10) + (code - 48);
      digits++;
      if (part > 255) return undefined;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0) return undefined;
  return value * 256 + part;
}

function parseIpv6(text: string): bigint | undefined {
  // An embedded IPv4 tail (::ffff:1.2.3.4) stands for the last two groups.
  const lastColon = text.lastIndexOf(":");
  const v4Text = text.slice(lastColon + 1);
  const v4Number = v4Text.includes(".") ? parseIpv4(v4Text) : undefined;
  const v4 = v4Number === undefined ? undefined : BigInt(v4Number);
  if (v4Text.includes(".") && v4 === undefined) return undefined;
  const body = v4 === undefined ? text : `${text.slice(0, lastColon + 1)}0:0`;
  const halves = body.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const gap = 8 - head.length - tail.length;
  if (halves.length === 1 ? gap !== 0 : gap < 1) return undefined;
  let value = 0n;
  for (const group of [
    ...head,
    ...Array<string>(halves.length === 2 ? gap : 0).fill("0"),
    ...tail,
  ]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  }
  return v4 === undefined ? value : (value & ~0xffffffffn) | v4;
}

/** An IP address as [family, integer], or undefined when it is not one. */
export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = text.includes(":") ? parseIpv6(text) : undefined;
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

export function parseCidr(text: string): Cidr | undefined {
  const [address, prefixText, extra] = text.split("/");
  if (address === undefined || extra !== undefined) return undefined;
  const ip = parseIp(address);
  if (!ip) return undefined;
  const bits = ip.family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits || prefixText === "") {
    return undefined;
  }
  if (ip.family === 4) {
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return { family: 4, network: (ip.value & mask) >>> 0, prefix, mask };
  }
  const mask = prefixMask(bits, prefix);
  return { family: 6, network: ip.value & mask, prefix, mask };
}

function prefixMask(bits: number, prefix: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return all ^ ((1n << BigInt(bits - prefix)) - 1n);
}

export function isCidr(text: string): boolean {
  return parseCidr(text) !== undefined;
}

/** Precomputed mask and network: a match is one AND and one compare. */
export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.family === 4) return ip.family === 4 && (ip.value & cidr.mask) >>> 0 === cidr.network;
  return ip.family === 6 && (ip.value & cidr.mask) === cidr.network;
}
