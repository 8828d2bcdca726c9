// The admin API's incident endpoints: the rolled-back and aborted rollouts of a service, newest
// first, and one incident whole (timeline, failed checks, the candidate's last request).
import { Incident } from "../../schemas/incident.ts";
import { incidentWire } from "../control-plane/service/wire.ts";
import type { Handlers } from "./endpoints.ts";
import { ApiError, parseRpc } from "./errors.ts";
import { serviceToRead } from "./service-record.ts";

export const incidentHandlers = {
  async listIncidents({ params: { name } }, c) {
    const incidents = parseRpc(
      Incident.array(),
      await (await serviceToRead(c.env, name)).incidents(),
      `incidents of "${name}"`,
    );
    return {
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
    };
  },

  async getIncident({ params: { name, id } }, c) {
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
    return incidentWire(incident);
  },
} satisfies Partial<Handlers>;
