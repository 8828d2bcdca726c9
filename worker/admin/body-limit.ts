// The request body's size bound, applied where a request has passed its gate (its bearer token, the
// deploy webhook's headers, the status page's sign-in bound), not in front of every route: hono's
// bodyLimit reads a body sent without a Content-Length (chunked) whole to count it, and in front of
// the token check it read up to MAX_BODY_BYTES of every anonymous request, a 404's included.
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { MAX_BODY_BYTES } from "../../schemas/api.ts";
import { ApiError } from "./errors.ts";

/** Refuses a body over `maxSize` bytes (by its Content-Length, else as it is read) with 413. */
export function limitBody(
  maxSize = MAX_BODY_BYTES,
  onError: (c: Context) => Response | Promise<Response> = () => {
    throw new ApiError("too_large", `the request body is larger than ${maxSize} bytes`);
  },
): MiddlewareHandler {
  return bodyLimit({ maxSize, onError });
}
