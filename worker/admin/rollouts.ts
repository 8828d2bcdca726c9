// The admin API's rollout endpoints: status, start, promote, pause, resume, abort.
import { serviceObjectOf } from "../contracts.ts";
import type { Handler, Handlers } from "./endpoints.ts";
import { objectAnswer } from "./errors.ts";
import { serviceToRead } from "./service-record.ts";

type Action = "promote" | "pause" | "resume" | "abort";

/** An operator's action on the service's rollout. */
const action =
  (verb: Action): Handler<`${Action}Rollout`> =>
  async ({ params: { name }, body }, c) =>
    objectAnswer(
      await serviceObjectOf(c.env, name).execute({ kind: `rollout.${verb}`, ...body }),
      `service "${name}"`,
    );

export const rolloutHandlers = {
  async rolloutStatus({ params: { name } }, c) {
    const status = await (await serviceToRead(c.env, name)).rolloutStatus();
    return objectAnswer(status, `service "${name}"`);
  },

  async startRollout({ params: { name }, body }, c) {
    const result = await serviceObjectOf(c.env, name).execute({
      kind: "rollout.start",
      ...body,
    });
    return objectAnswer(result, `service "${name}"`);
  },

  promoteRollout: action("promote"),
  pauseRollout: action("pause"),
  resumeRollout: action("resume"),
  abortRollout: action("abort"),
} satisfies Partial<Handlers>;
