// Admin endpoints for incidents: the rolled-back and aborted rollouts of a service, newest first,
// and one incident whole (timeline, failed checks, the candidate's last request).
import { Hono } from "hono/tiny";
import { IncidentList, IncidentResponse } from "../../schemas/api-responses.ts";
import { Incident } from "../../schemas/incident.ts";
import { incidentWire } from "../control-plane/service/wire.ts";
import type { Env } from "../env.ts";
import { requireScope } from "./auth.ts";
import { ApiError, parseRpc } from "./errors.ts";
import { respond } from "./respond.ts";
import { serviceToRead } from "./service-record.ts";

type App = Hono<{ Bindings: Env }>;

export function incidentRoutes(): App {
  const app: App = new Hono();

  app.get("/services/:name/incidents", requireScope("read"), async (c) => {
    const name = c.req.param("name");
    const incidents = parseRpc(
      Incident.array(),
      await (await serviceToRead(c.env, name)).incidents(),
      `incidents of "${name}"`,
    );
    return respond(c, IncidentList, {
      service: name,
      incidents: incidents
        .map(incidentWire)
        .map(({ id, rolloutId, outcome, at, release, summary }) => ({
          id,
          rolloutId,
          outcome,
          at,
          release,
          summary,
        })),
    });
  });

  app.get("/services/:name/incidents/:id", requireScope("read"), async (c) => {
    const { name, id } = c.req.param();
    const incident = parseRpc(
      Incident.nullable(),
      await (await serviceToRead(c.env, name)).incident(id),
      `incident ${id} of "${name}"`,
    );
    if (!incident)
      throw new ApiError(
        "not_found",
        `service "${name}" has no incident ${id} (see keystone incident list ${name})`,
      );
    return respond(c, IncidentResponse, incidentWire(incident));
  });

  return app;
}
