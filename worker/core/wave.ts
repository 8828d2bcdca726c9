// A regional wave's place (a rollout step's `where`), compiled once per table: a request is in it
// when any listed key matches. Geo facts come from request.cf, read only when a wave asks.
import type { Where } from "../../schemas/rollout.ts";
import type { Predicate } from "./matchers.ts";

export function compileWhere(where: Where): Predicate {
  const countries = new Set(where.country ?? []);
  const colos = new Set(where.colo ?? []);
  const continents = new Set<string>(where.continent ?? []);
  const has = (set: Set<string>, value: string | null) =>
    set.size > 0 && value !== null && set.has(value.toUpperCase());
  return (facts) =>
    has(countries, facts.country) || has(colos, facts.colo) || has(continents, facts.continent);
}

/** The place in words, for status, metrics and explain: "country NZ, AU; continent OC". */
export function describeWhere(where: Where): string {
  return (["country", "colo", "continent"] as const)
    .flatMap((key) => (where[key] ? [`${key} ${where[key].join(", ")}`] : []))
    .join("; ");
}
