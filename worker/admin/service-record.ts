// A service's record as the admin API reads it from its object: parsed as it enters, 404 when the
// service does not exist.
import { ServiceRecord } from "../../schemas/api-responses.ts";
import { serviceObjectOf } from "../control-plane/stubs.ts";
import type { Env } from "../env.ts";
import { ApiError, parseRpc } from "./errors.ts";

export async function recordOf(env: Env, name: string): Promise<ServiceRecord> {
  const record = parseRpc(
    ServiceRecord.nullable(),
    await serviceObjectOf(env, name).record(name),
    `service "${name}"`,
  );
  if (!record) throw new ApiError("not_found", `service "${name}" does not exist`);
  return record;
}
