// The admin API's release endpoints: start one from a release file, read its status, abort it.
import { ReleaseStatus } from "../../schemas/api-responses.ts";
import type { ReleaseFile } from "../../schemas/release-file.ts";
import { knownReleaseObjectOf, releaseObjectOf } from "../contracts.ts";
import type { Env } from "../env.ts";
import type { Handlers } from "./endpoints.ts";
import { ApiError, objectAnswer, unwrap } from "./errors.ts";

/**
 * The object of a release that was started: a name never started is not found without reaching
 * an object (a read token could otherwise create one, and its storage, per name it asks about).
 */
async function releaseToRead(env: Env, name: string) {
  const object = await knownReleaseObjectOf(env, name);
  if (!object) throw new ApiError("not_found", `no release named "${name}"`);
  return object;
}

/** Starts a release (the API and the deploy webhook); the answer is its status after the start. */
export async function startReleaseOf(
  env: Env,
  file: ReleaseFile,
  who: { author?: string | undefined; reason?: string | undefined },
  force = false,
): Promise<ReleaseStatus> {
  const result = await releaseObjectOf(env, file.name).start(file, who, force);
  return unwrap(ReleaseStatus, result, `release "${file.name}"`);
}

export const releaseHandlers = {
  startRelease: ({ body: { file, force, ...who } }, c) =>
    startReleaseOf(c.env, file, who, force === true),

  async releaseStatus({ params: { name } }, c) {
    const release = await releaseToRead(c.env, name);
    return objectAnswer(await release.status(), `release "${name}"`);
  },

  async abortRelease({ params: { name }, body }, c) {
    const release = await releaseToRead(c.env, name);
    return objectAnswer(await release.abort(body), `release "${name}"`);
  },
} satisfies Partial<Handlers>;
