// Durations in config ("30s", "5m", "1h30m"): the schema, on the zod-free parser.
import * as z from "zod";
import { parseDuration } from "./duration-text.ts";

export { parseDuration } from "./duration-text.ts";

export const Duration = z.string().refine((text) => parseDuration(text) !== undefined, {
  message: 'not a duration: use a number and a unit, like "30s", "5m", "1h"',
});
