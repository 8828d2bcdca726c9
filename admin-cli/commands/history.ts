// keystone history SERVICE: every revision and event, who, why and when.
import type { EventDetail } from "../../schemas/history.ts";
import type { VersionFigures } from "../../schemas/rollout-state.ts";
import {
  describePromotion,
  eventText,
  figuresText,
  PHASE_NAMES,
  timeText,
  weightText,
} from "../../worker/core/rollout/event-words.ts";
import { defineCommand } from "../command.ts";
import { table } from "../io.ts";

function figures(name: string, f: VersionFigures | null | undefined): string | null {
  return f ? `${name} ${figuresText(f)}` : null;
}

/** The figures behind a rollout decision, a split, or a promotion, in a few words. */
function describeDetail(detail: EventDetail | null): string | null {
  if (!detail) return null;
  if (detail.kind === "config") {
    const split = Object.entries(detail.split)
      .map(([v, w]) => `${v}=${w}`)
      .join(" ");
    return detail.restored === undefined ? split : `${split} (revision ${detail.restored})`;
  }
  const parts = [
    detail.promotion ? describePromotion(detail.promotion) : null,
    `step ${detail.step} ${weightText(detail.weight, detail.verdict?.fromWeight)}, ${PHASE_NAMES[detail.phase]}`,
    figures("candidate", detail.verdict?.candidate),
    figures("baseline", detail.verdict?.baseline),
  ];
  return parts.filter(Boolean).join("; ");
}

export default defineCommand({
  description: "Every revision and event of a service: who, why, when",
  args: {
    service: { type: "positional", required: true, description: "service name" },
  },
  examples: ["keystone history shop"],
  async run(args, session) {
    const { out, api } = session;
    const { history } = await api.call("serviceHistory", {
      params: { name: args.service },
      query: {},
    });
    out.result({ service: args.service, history });
    out.line(
      table(
        ["WHEN", "REV", "EVENT", "BY", "WHY / DETAIL"],
        history.map((h) => [
          timeText(h.at),
          h.revision === null ? "" : String(h.revision),
          eventText(h),
          h.author ?? "",
          [h.reason, describeDetail(h.detail)].filter(Boolean).join(" · "),
        ]),
      ),
    );
  },
});
