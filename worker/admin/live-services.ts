// The registry's list of live services, parsed as it enters the Worker.
import * as z from "zod";
import { RegistryEntry } from "../../schemas/ledger.ts";
import { registryOf } from "../contracts.ts";
import type { Env } from "../env.ts";
import { parseRpc } from "./errors.ts";

export async function liveServices(env: Env): Promise<RegistryEntry[]> {
  return parseRpc(z.array(RegistryEntry), await registryOf(env).list(), "the registry");
}
