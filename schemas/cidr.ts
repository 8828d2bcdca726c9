// CIDR parsing shared by the schema (validation) and the routing core (matching).

export interface Cidr {
  family: 4 | 6;
  /** The network address as a big-endian integer (128 bits for IPv6). */
  network: bigint;
  prefix: number;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(Number(part));
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  // An embedded IPv4 tail (::ffff:1.2.3.4) stands for the last two groups.
  const lastColon = text.lastIndexOf(":");
  const v4Text = text.slice(lastColon + 1);
  const v4 = v4Text.includes(".") ? parseIpv4(v4Text) : undefined;
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
export function parseIp(text: string): { family: 4 | 6; value: bigint } | undefined {
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
  const mask = prefixMask(bits, prefix);
  return { family: ip.family, network: ip.value & mask, prefix };
}

function prefixMask(bits: number, prefix: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return all ^ ((1n << BigInt(bits - prefix)) - 1n);
}

export function isCidr(text: string): boolean {
  return parseCidr(text) !== undefined;
}

export function cidrContains(cidr: Cidr, ip: { family: 4 | 6; value: bigint }): boolean {
  if (cidr.family !== ip.family) return false;
  const mask = prefixMask(cidr.family === 4 ? 32 : 128, cidr.prefix);
  return (ip.value & mask) === cidr.network;
}
