// Where each Durable Object lives: one registry, one object per service name.
import type { Env } from "../env.ts";

export function registryOf(env: Env) {
  return env.REGISTRY.get(env.REGISTRY.idFromName("registry"));
}

export function serviceObjectOf(env: Env, name: string) {
  return env.SERVICES.get(env.SERVICES.idFromName(name));
}
