// A service's record as the admin API reads it from its object: parsed as it enters, 404 when the
// service does not exist.
import { ServiceRecord } from "../../schemas/api-responses.ts";
import { knownServiceObjectOf } from "../contracts.ts";
import type { Env } from "../env.ts";
import { ApiError, parseRpc } from "./errors.ts";

/**
 * The object of a service the registry knows, for a read: a name it never saw is not found
 * without reaching an object (which would create one, and its storage, per name asked).
 */
export async function serviceToRead(env: Env, name: string) {
  const object = await knownServiceObjectOf(env, name);
  if (!object) throw new ApiError("not_found", `service "${name}" does not exist`);
  return object;
}

export async function recordOf(env: Env, name: string): Promise<ServiceRecord> {
  const record = parseRpc(
    ServiceRecord.nullable(),
    await (await serviceToRead(env, name)).record(name),
    `service "${name}"`,
  );
  if (!record) throw new ApiError("not_found", `service "${name}" does not exist`);
  return record;
}
