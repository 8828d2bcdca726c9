// The admin API's release endpoints: start one from a release file, read its status, abort it.
import { ReleaseStatus } from "../../schemas/api-responses.ts";
import type { ReleaseFile } from "../../schemas/release-file.ts";
import { releaseObjectOf } from "../contracts.ts";
import type { Env } from "../env.ts";
import type { Handlers } from "./endpoints.ts";
import { objectAnswer, unwrap } from "./errors.ts";

/** Starts a release (the API and the deploy webhook); the answer is its status after the start. */
export async function startReleaseOf(
  env: Env,
  file: ReleaseFile,
  who: { author?: string | undefined; reason?: string | undefined },
): Promise<ReleaseStatus> {
  const result = await releaseObjectOf(env, file.name).start(file.name, file, who);
  return unwrap(ReleaseStatus, result, `release "${file.name}"`);
}

export const releaseHandlers = {
  startRelease: ({ body: { file, ...who } }, c) => startReleaseOf(c.env, file, who),

  async releaseStatus({ params: { name } }, c) {
    return objectAnswer(await releaseObjectOf(c.env, name).status(name), `release "${name}"`);
  },

  async abortRelease({ params: { name }, body }, c) {
    return objectAnswer(await releaseObjectOf(c.env, name).abort(name, body), `release "${name}"`);
  },
} satisfies Partial<Handlers>;
