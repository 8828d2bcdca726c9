// How `release status` shows a release to people: its phase and where it stands, each service's
// standing (step, weight, what it waits for, why it stopped), and this run's history. Pure:
// status in, lines out.
import type { ReleaseStatus } from "../schemas/api-responses.ts";
import type { ReleasePhase } from "../schemas/release-state.ts";
import { RELEASE_EVENT_NAMES, RELEASE_PHASE_NAMES } from "../worker/core/release/release-words.ts";
import { timeText } from "../worker/core/rollout/event-words.ts";
import { type Output, type Style, table } from "./io.ts";

export const RELEASE_ENDED = new Set<ReleasePhase>([
  "promoted",
  "partiallyPromoted",
  "rolledBack",
  "aborted",
]);

const COLOUR: Record<ReleasePhase, Style> = {
  running: "cyan",
  promoting: "cyan",
  rollingBack: "yellow",
  aborting: "yellow",
  promoted: "green",
  partiallyPromoted: "red",
  rolledBack: "red",
  aborted: "red",
};

function serviceRows(view: ReleaseStatus): string[][] {
  const { release } = view;
  return release.services.map((progress) => {
    const entry = release.file.services.find((s) => s.service === progress.service);
    const rollout = progress.rollout;
    const shows = rollout && progress.status !== "waiting";
    const waits = entry?.after
      ? `${entry.after.service} ${entry.after.passed ? "passed" : `at step ${entry.after.reached}`}`
      : "-";
    return [
      progress.service,
      progress.status,
      shows ? `${rollout.step}/${rollout.stepCount}` : "-",
      shows ? `${rollout.weight}%` : "-",
      waits,
      progress.note ?? (shows ? (rollout.reason ?? "") : ""),
    ];
  });
}

/** How many of the release's latest events its status shows, so it fits a screen. */
const SHOWN_EVENTS = 8;

export function renderRelease(out: Output, view: ReleaseStatus): string[] {
  const { release } = view;
  const by = release.author ? ` by ${release.author}` : "";
  const ended = release.endedAt ? `, ended ${timeText(release.endedAt)}` : "";
  const lines = [
    `${out.paint("bold", release.name)}  ${out.paint(COLOUR[release.phase], RELEASE_PHASE_NAMES[release.phase])}  started ${timeText(release.startedAt)}${by}${ended}`,
    `  ${release.reason}`,
    "",
    table(["SERVICE", "STATUS", "STEP", "WEIGHT", "WAITS FOR", "NOTE"], serviceRows(view)),
  ];
  const events = view.events.slice(-SHOWN_EVENTS);
  if (events.length > 0) {
    lines.push("", out.paint("bold", "History:"));
    // Said, not dropped in silence: a run of three services has a dozen entries, and the ones
    // left out are its start (who started it, what started first).
    const earlier = view.events.length - events.length;
    if (earlier > 0)
      lines.push(
        out.paint(
          "dim",
          `  … ${earlier} earlier entr${earlier === 1 ? "y" : "ies"} (release status --json has them all)`,
        ),
      );
    for (const event of events)
      lines.push(
        `  ${timeText(event.at)}  ${event.service ? `${event.service} ` : ""}${RELEASE_EVENT_NAMES[event.type]} — ${event.reason}${event.author ? out.paint("dim", ` (${event.author})`) : ""}`,
      );
  }
  return lines;
}
