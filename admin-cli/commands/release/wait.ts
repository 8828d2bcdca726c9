// keystone release wait RELEASE [--timeout 30m]: what a CI job calls to gate a pipeline on a
// release. Exit 0 promoted, 10 rolled back, aborted or only partly promoted, 11 timeout.
import { defineCommand } from "citty";
import { CliError, EXIT } from "../../errors.ts";
import { openSession } from "../../session.ts";
import { waitArgs, waitClock } from "../../wait-clock.ts";
import { fetchRelease, releaseArgs } from "./shared.ts";

export default defineCommand({
  meta: {
    name: "wait",
    description:
      "Wait for the release to end: exit 0 promoted, 10 rolled back/aborted/partly promoted, 11 timeout",
  },
  args: {
    ...releaseArgs,
    ...waitArgs,
  },
  async run({ args }) {
    const { out, api } = openSession();
    const clock = waitClock(args);
    const name = args.release;
    let last = "";
    for (;;) {
      const status = await fetchRelease(api, name);
      const { phase, reason } = status.release;
      const summary = `${phase} — ${reason}`;
      if (summary !== last) out.note(`${name}: ${summary}`);
      last = summary;
      if (phase === "promoted") {
        out.result({ release: name, outcome: phase, status });
        out.line(`${out.paint("green", "✓")} ${name}: every service promoted`);
        return;
      }
      if (phase === "rolledBack" || phase === "aborted" || phase === "partiallyPromoted") {
        out.result({ release: name, outcome: phase, status });
        throw new CliError(EXIT.rolledBack, `${name}: release ${phase} — ${reason}`);
      }
      if (clock.expired()) {
        out.result({ release: name, outcome: "timeout", status });
        throw new CliError(EXIT.timeout, `${name}: still ${phase} after ${args.timeout}`);
      }
      await clock.pause();
    }
  },
});
