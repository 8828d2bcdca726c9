// Where each Durable Object lives: one registry, one object per service and per release, one per
// (service, version).
import type { Env } from "../env.ts";

export function registryOf(env: Env) {
  return env.REGISTRY.get(env.REGISTRY.idFromName("registry"));
}

export function serviceObjectOf(env: Env, name: string) {
  return env.SERVICES.get(env.SERVICES.idFromName(name));
}

/**
 * The object of a service the registry knows (published once, deleted or not); undefined for a
 * name it does not. Reads ask first: reaching an object creates it, and its storage.
 */
export async function knownServiceObjectOf(env: Env, name: string) {
  return (await registryOf(env).knows(name)) ? serviceObjectOf(env, name) : undefined;
}

export function releaseObjectOf(env: Env, name: string) {
  return env.RELEASES.get(env.RELEASES.idFromName(name));
}

/** The stats object of one version of one service. */
export function statsObjectName(service: string, version: string): string {
  return `${service}/${version}`;
}

export function statsObjectOf(env: Env, service: string, version: string) {
  return env.STATS.get(env.STATS.idFromName(statsObjectName(service, version)));
}
