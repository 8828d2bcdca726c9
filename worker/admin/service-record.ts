// What the admin API (and the status page) reads of services: the registry's list of live
// services and a service's record from its object, each parsed as it enters; 404 when the
// service does not exist.
import * as z from "zod";
import { ServiceRecord } from "../../schemas/api-responses.ts";
import { RegistryEntry } from "../../schemas/ledger.ts";
import { knownServiceObjectOf, registryOf } from "../contracts.ts";
import type { Env } from "../env.ts";
import { ApiError, parseRpc } from "./errors.ts";

export async function liveServices(env: Env): Promise<RegistryEntry[]> {
  return parseRpc(z.array(RegistryEntry), await registryOf(env).list(), "the registry");
}

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
    await (await serviceToRead(env, name)).record(),
    `service "${name}"`,
  );
  if (!record) throw new ApiError("not_found", `service "${name}" does not exist`);
  return record;
}

/** The spec a service was last applied with; null for a name never published, or deleted. */
export async function storedSpec(env: Env, name: string): Promise<ServiceRecord["spec"] | null> {
  const object = await knownServiceObjectOf(env, name);
  if (!object) return null;
  return (
    parseRpc(ServiceRecord.nullable(), await object.record(), `service "${name}"`)?.spec ?? null
  );
}
