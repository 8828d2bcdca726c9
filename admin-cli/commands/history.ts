// keystone history SERVICE: every revision and event, who, why and when.
import { defineCommand } from "citty";
import type { HistoryEntry } from "../../schemas/api.ts";
import { table } from "../io.ts";
import { openSession } from "../session.ts";

interface Figures {
  requests: number;
  errorRatePercent: number | null;
  p95: number | null;
}

function figures(name: string, f: Figures | null | undefined): string | null {
  if (!f) return null;
  const rate = f.errorRatePercent === null ? "-" : `${f.errorRatePercent.toFixed(2)}%`;
  return `${name} ${f.requests} req, ${rate} errors, p95 ${f.p95 === null ? "-" : `${Math.round(f.p95)}ms`}`;
}

/** The figures behind a rollout decision, or a split, in a few words; other detail as JSON. */
export function describeDetail(detail: Record<string, unknown> | null): string | null {
  if (!detail) return null;
  if (detail.split)
    return Object.entries(detail.split as Record<string, number>)
      .map(([v, w]) => `${v}=${w}`)
      .join(" ");
  const verdict = detail.verdict as
    | { candidate?: Figures | null; baseline?: Figures | null }
    | undefined;
  if (detail.phase) {
    const parts = [
      `${detail.phase} at ${detail.weight}% (step ${detail.step})`,
      figures("candidate", verdict?.candidate),
      figures("baseline", verdict?.baseline),
    ];
    return parts.filter(Boolean).join("; ");
  }
  return JSON.stringify(detail);
}

export default defineCommand({
  meta: { name: "history", description: "Every revision and event of a service: who, why, when" },
  args: {
    service: { type: "positional", required: true, description: "service name" },
  },
  async run({ args }) {
    const { out, api } = openSession();
    const { history } = await api.get<{ history: HistoryEntry[] }>(
      `/services/${encodeURIComponent(args.service)}/history`,
    );
    out.result({ service: args.service, history });
    out.line(
      table(
        ["WHEN", "REV", "EVENT", "BY", "WHY / DETAIL"],
        history.map((h) => [
          h.at.replace("T", " ").replace(/\.\d+Z$/, "Z"),
          h.revision === null ? "" : String(h.revision),
          h.type,
          h.author ?? "",
          [h.reason, describeDetail(h.detail)].filter(Boolean).join(" · "),
        ]),
      ),
    );
  },
});
