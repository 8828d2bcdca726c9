// The KV value the data plane reads: every service's effective config, as last published.
import * as z from "zod";
import { Service } from "./service.ts";

/** KV key of the route document (see docs/storage.md). */
export const ROUTES_KEY = "routes:v1";

export const RoutesDoc = z.strictObject({
  format: z.literal(1),
  /** Increases with every publication; lets isolates skip recompiling an unchanged doc. */
  generation: z.number().int().nonnegative(),
  publishedAt: z.iso.datetime(),
  services: z.array(Service),
});

export type RoutesDoc = z.infer<typeof RoutesDoc>;
