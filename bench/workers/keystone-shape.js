// The bare pass-through Worker with Keystone's shape: the same Durable Object classes (empty) and
// bindings. It starts like Keystone minus Keystone's script, so Keystone's startup less this one's is
// the time workerd spends compiling and evaluating Keystone's script (npm run bench, cold start).
import { DurableObject } from "cloudflare:workers";

export class ServiceObject extends DurableObject {}
export class RegistryObject extends DurableObject {}
export class StatsObject extends DurableObject {}

export default {
  fetch(request, env) {
    const url = new URL(request.url);
    return fetch(env.ORIGIN + url.pathname + url.search, request);
  },
};
