// Reads a JSON request body and parses it with its schema; problems come back with their paths.
import type { Context } from "hono";
import type * as z from "zod";
import { problemsOf } from "../../schemas/problems.ts";
import { ApiError } from "./errors.ts";

export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    throw new ApiError("bad_request", "the request body is not valid JSON");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ApiError("invalid", "the request body is not valid", problemsOf(parsed.error));
  }
  return parsed.data;
}
