// The prompt "investigate a rollback": the incident, the verdicts that led to it and the service's
// history before it, read through the admin API and handed to the agent with what to find out.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import * as z from "zod";
import { ADMIN_API } from "../../../schemas/admin-endpoints.ts";
import type { IncidentList, IncidentResponse } from "../../../schemas/api-responses.ts";
import type { HistoryResponse } from "../../../schemas/history.ts";
import type { RolloutVerdicts } from "../../../schemas/verdict-log.ts";
import { incidentMarkdown } from "../../core/rollout/incident-markdown.ts";
import { verdictSummaries } from "./agent-answers.ts";
import { type AdminDispatch, AgentError, answerValue, INVALID_PARAMS } from "./dispatch.ts";

/** History entries handed over: enough to see what changed before the rollout, not a year of it. */
const HISTORY_ENTRIES = 30;

const QUESTIONS = [
  "Find out, from the material above:",
  "1. Which check failed, with its measured number against its threshold and the baseline's.",
  "2. What changed before the rollout (revisions, weights, releases) and who changed it.",
  "3. Whether the candidate or something around it (traffic, origin, config) is the likelier cause.",
  "4. What to do next. Suggest write tools (startRollout, setWeights, revertService) with their arguments, but do not call one without the person's go-ahead; each needs a reason.",
].join("\n");

export function registerPrompts(server: McpServer, dispatch: AdminDispatch): void {
  server.registerPrompt(
    "investigate-rollback",
    {
      title: "Investigate a rollback",
      description:
        "Why did a rollout roll back (or get aborted)? Brings the incident, the rollout's verdicts and the service's history together",
      argsSchema: {
        service: z.string().describe("service name"),
        incident: z.string().optional().describe("incident id (default: the newest)"),
      },
    },
    async ({ service, incident }) => {
      const id = incident ?? (await newestIncident(dispatch, service));
      if (id === undefined)
        throw new AgentError(
          INVALID_PARAMS,
          `service "${service}" has no incident to investigate (listIncidents lists them)`,
        );
      const params = { name: service };
      const [found, verdicts, history] = await Promise.all([
        dispatch.call(ADMIN_API.getIncident, { params: { ...params, id } }),
        dispatch.call(ADMIN_API.rolloutVerdicts, { params, query: { last: 20 } }),
        dispatch.call(ADMIN_API.serviceHistory, { params }),
      ]);
      const decided = answerValue(found) as IncidentResponse;
      const markdown = incidentMarkdown(decided, { baseUrl: dispatch.origin });
      // The verdicts served are the latest rollout's, and history runs to now: for an older
      // incident, a later rollout's verdicts and events would read as this one's.
      const latest = answerValue(verdicts) as RolloutVerdicts;
      const ownVerdicts = latest.verdicts.filter((v) => v.rolloutId === decided.rolloutId);
      const events = (answerValue(history) as HistoryResponse).history
        .filter((event) => Date.parse(event.at) <= Date.parse(decided.at))
        .slice(-HISTORY_ENTRIES);
      const text = [
        `Investigate incident ${id} of the service "${service}".`,
        "",
        markdown,
        "## The rollout's last verdicts (rollout explain), each check as its sentence",
        "",
        ...(ownVerdicts.length > 0
          ? [
              // Whole judgements are about 5 KB each: twenty would crowd out the rest.
              "```json",
              JSON.stringify(verdictSummaries({ ...latest, verdicts: ownVerdicts }), null, 2),
              "```",
              "",
              "A verdict's judgement whole (every check's inputs, the statistics): the rolloutVerdicts tool with `judgements: true`.",
            ]
          : [
              `None shown: rollout ${decided.rolloutId} is not the latest rollout, and rolloutVerdicts answers only the latest one's. The incident's own tables above hold the figures its decision read.`,
            ]),
        "",
        `## The service's history up to the incident, last ${events.length} entries, oldest first`,
        "",
        "```json",
        JSON.stringify(events, null, 2),
        "```",
        "",
        QUESTIONS,
      ].join("\n");
      return {
        description: `Incident ${id} of ${service}`,
        messages: [{ role: "user", content: { type: "text", text } }],
      };
    },
  );
}

async function newestIncident(dispatch: AdminDispatch, service: string) {
  const list = answerValue(
    await dispatch.call(ADMIN_API.listIncidents, { params: { name: service } }),
  ) as IncidentList;
  return list.incidents[0]?.id;
}
