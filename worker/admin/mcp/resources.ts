// What an agent (or the person beside it) can open without calling a tool: a service's config as
// the YAML file `keystone get SERVICE -o yaml` prints, its latest rollout and an incident as the
// Markdown `keystone rollout report` and `keystone incident show` print. Read through the admin
// API, so a read token gets the masked config.
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ListResourcesRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { stringify } from "yaml";
import { ADMIN_API } from "../../../schemas/admin-endpoints.ts";
import type {
  IncidentResponse,
  RolloutStatus,
  ServiceList,
  ServiceRecord,
} from "../../../schemas/api-responses.ts";
import type { HistoryResponse } from "../../../schemas/history.ts";
import { incidentMarkdown } from "../../core/rollout/incident-markdown.ts";
import { renderRolloutReport } from "../../core/rollout/rollout-report.ts";
import {
  type AdminDispatch,
  answerValue as anyAnswerValue,
  RESOURCE_NOT_FOUND,
} from "./dispatch.ts";

const CONFIG_URI = "keystone://services/{name}/config.yaml";
const INCIDENT_URI = "keystone://services/{name}/incidents/{id}.md";
const REPORT_URI = "keystone://services/{name}/rollout-report.md";

/** Services a resources/list page lists: the listServices tool's page, so a page costs as much. */
export const RESOURCE_PAGE = 50;

const CONFIG_RESOURCE = {
  title: "A service's config file",
  description: "The service as its config file was last applied, in YAML (keystone get -o yaml)",
  mimeType: "application/yaml",
};

/** A resource's answer: a name that is not there is "resource not found" (MCP), not internal. */
const answerValue = (answer: Parameters<typeof anyAnswerValue>[0]) =>
  anyAnswerValue(answer, RESOURCE_NOT_FOUND);

/** A URI template's variable as one value (the SDK gives a list for exploded variables). */
const one = (value: string | string[] | undefined) =>
  Array.isArray(value) ? (value[0] ?? "") : (value ?? "");

export function registerResources(server: McpServer, dispatch: AdminDispatch): void {
  server.registerResource(
    "service-config",
    // Listed by the resources/list handler below, a page at a time: the SDK's list callback
    // takes no cursor, so it could only list every service at once (a record read each).
    new ResourceTemplate(CONFIG_URI, { list: undefined }),
    CONFIG_RESOURCE,
    async (uri, { name }) => {
      const record = answerValue(
        await dispatch.call(ADMIN_API.getService, { params: { name: one(name) } }),
      ) as ServiceRecord;
      return {
        contents: [
          {
            uri: uri.href,
            mimeType: "application/yaml",
            text: stringify({ services: [record.spec] }),
          },
        ],
      };
    },
  );

  server.registerResource(
    "incident",
    new ResourceTemplate(INCIDENT_URI, {
      // Listing every service's incidents would cost a call per service: listIncidents names them.
      list: undefined,
    }),
    {
      title: "An incident",
      description:
        "A rolled-back or aborted rollout as Markdown for a postmortem: timeline, failed checks with their numbers (keystone incident show)",
      mimeType: "text/markdown",
    },
    async (uri, { name, id }) => {
      const incident = answerValue(
        await dispatch.call(ADMIN_API.getIncident, { params: { name: one(name), id: one(id) } }),
      ) as IncidentResponse;
      return {
        contents: [
          {
            uri: uri.href,
            mimeType: "text/markdown",
            text: incidentMarkdown(incident, { baseUrl: dispatch.origin }),
          },
        ],
      };
    },
  );

  server.registerResource(
    "rollout-report",
    new ResourceTemplate(REPORT_URI, { list: undefined }),
    {
      title: "A service's latest rollout",
      description:
        "The latest rollout as Markdown: each step with the figures its decision read, the verdict, the split now (keystone rollout report)",
      mimeType: "text/markdown",
    },
    async (uri, { name }) => {
      const params = { name: one(name) };
      const [status, history] = await Promise.all([
        dispatch.call(ADMIN_API.rolloutStatus, { params }),
        dispatch.call(ADMIN_API.serviceHistory, { params }),
      ]);
      const markdown = renderRolloutReport(
        params.name,
        answerValue(status) as RolloutStatus,
        (answerValue(history) as HistoryResponse).history,
        `${dispatch.origin}/_keystone/ui`,
      );
      return { contents: [{ uri: uri.href, mimeType: "text/markdown", text: markdown }] };
    },
  );

  // Replaces the SDK's handler (registerResource installed it): a page of services in name order
  // from the request's cursor, with the cursor of the next page while more follow. A cursor the
  // API refuses is the caller's error (invalid params), as MCP asks.
  server.server.setRequestHandler(ListResourcesRequestSchema, async (request) => {
    const list = anyAnswerValue(
      await dispatch.call(ADMIN_API.listServices, {
        query: { limit: RESOURCE_PAGE, cursor: request.params?.cursor },
      }),
    ) as ServiceList;
    return {
      resources: list.services.map((service) => ({
        ...CONFIG_RESOURCE,
        uri: CONFIG_URI.replace("{name}", encodeURIComponent(service.name)),
        name: `${service.name} config`,
      })),
      ...(list.nextCursor ? { nextCursor: list.nextCursor } : {}),
    };
  });
}
