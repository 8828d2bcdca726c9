// Signed visitor keys for track groups (sticky.group): `k1.<group>.<key, base64url>.<HMAC>`. The
// data plane sends one to the origin as x-keystone-visitor; an origin that forwards it on its own
// calls to another service of the group puts the visitor on the same track there. A forged or
// foreign one is ignored, so a client cannot choose a bucket its sticky key would not give it.
import { sign, signatureMatches } from "./hmac.ts";

const PREFIX = "k1";

export const VISITOR_HEADER = "x-keystone-visitor";

/** Visitor keys longer than this are not carried (a header-based key could be anything). */
const MAX_KEY_LENGTH = 256;

export function signVisitor(secret: string, group: string, key: string): string | undefined {
  if (key.length > MAX_KEY_LENGTH) return undefined;
  const payload = `${PREFIX}.${group}.${Buffer.from(key).toString("base64url")}`;
  return `${payload}.${sign(secret, payload)}`;
}

/** The visitor key of a genuine token for this group; undefined for anything else. */
export function readVisitor(secret: string, group: string, token: string): string | undefined {
  if (token.length > 2 * MAX_KEY_LENGTH) return undefined;
  const parts = token.split(".");
  if (parts.length !== 4 || parts[0] !== PREFIX || parts[1] !== group) return undefined;
  if (!signatureMatches(secret, parts.slice(0, 3).join("."), parts[3]!)) return undefined;
  return Buffer.from(parts[2]!, "base64url").toString();
}
