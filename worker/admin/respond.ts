// Sends a response checked against its schema from schemas/: what leaves the API is exactly what
// the OpenAPI document and the CLI expect.
import type { Context } from "hono";
import type * as z from "zod";
import { parseRpc } from "./errors.ts";

export function respond<S extends z.ZodType>(c: Context, schema: S, value: z.input<S>): Response {
  return c.json(parseRpc(schema, value, "the admin API response") as object);
}
