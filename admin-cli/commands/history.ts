// keystone history SERVICE: every revision and event, who, why and when.
import { defineCommand } from "citty";
import type { HistoryEntry } from "../../schemas/api.ts";
import { table } from "../io.ts";
import { globalArgs, openSession } from "../session.ts";

export default defineCommand({
  meta: { name: "history", description: "Every revision and event of a service: who, why, when" },
  args: {
    ...globalArgs,
    service: { type: "positional", required: true, description: "service name" },
  },
  async run({ args }) {
    const { out, api } = openSession(args);
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
          [h.reason, h.detail ? JSON.stringify(h.detail) : null].filter(Boolean).join(" "),
        ]),
      ),
    );
  },
});
