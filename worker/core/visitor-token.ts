// Signed visitor keys for track groups (sticky.group): `k1.<group>.<key, base64url>.<HMAC>`. The
// data plane sends one to the origin as x-keystone-visitor; an origin that forwards it on its own
// calls to another service of the group puts the visitor on the same track there. A forged or
// foreign one is ignored, so a client cannot choose a bucket its sticky key would not give it.
import { base64urlToText, textToBase64url } from "./base64url.ts";
import { sign, signatureMatches, TokenMemo } from "./hmac.ts";

const PREFIX = "k1";

export const VISITOR_HEADER = "x-keystone-visitor";

/**
 * Visitor keys longer than this are not carried (a header-based key could be anything), and a
 * sticky header's value past it is no key at all (decide.ts): the isolate keeps each key it counts.
 */
export const MAX_KEY_LENGTH = 256;

const signed = new TokenMemo<string>();
const verified = new TokenMemo<string>();

export function signVisitor(secret: string, group: string, key: string): string | undefined {
  if (key.length > MAX_KEY_LENGTH) return undefined;
  const known = signed.get(secret, group, key);
  if (known) return known;
  const payload = `${PREFIX}.${group}.${textToBase64url(key)}`;
  const token = `${payload}.${sign(secret, payload)}`;
  signed.set(secret, group, key, token);
  return token;
}

/** The visitor key of a genuine token for this group; undefined for anything else. */
export function readVisitor(secret: string, group: string, token: string): string | undefined {
  const known = verified.get(secret, group, token);
  if (known !== undefined) return known;
  if (token.length > 2 * MAX_KEY_LENGTH) return undefined;
  const parts = token.split(".");
  if (parts.length !== 4 || parts[0] !== PREFIX || parts[1] !== group) return undefined;
  if (!signatureMatches(secret, parts.slice(0, 3).join("."), parts[3]!)) return undefined;
  // Signed by us, so well-formed base64url of the key's UTF-8.
  const key = base64urlToText(parts[2]!);
  verified.set(secret, group, token, key);
  return key;
}
