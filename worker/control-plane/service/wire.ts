// A service's stored shapes as the API sends them: state keeps epoch-ms times, the wire ISO-8601.
// Each shape is declared once in schemas/ as a function of its time field; built here on the time
// codec, its `encode` is the conversion (and checks the stored shape on the way out), so a new
// time field needs no edit here.
import type { RolloutStateWire, WindowFigures } from "../../../schemas/api-responses.ts";
import {
  type ServingState,
  type ServingWire,
  servingSinceSchema,
} from "../../../schemas/apply-plan.ts";
import { type Incident, type IncidentWire, incidentSchema } from "../../../schemas/incident.ts";
import {
  type RolloutState,
  rolloutStateSchema,
  TickTimeCodec,
  TimeCodec,
  VersionFigures,
} from "../../../schemas/rollout-state.ts";
import type { WindowStats } from "../../../schemas/stats.ts";
import {
  type RolloutVerdicts,
  type VerdictEntry,
  verdictEntrySchema,
} from "../../../schemas/verdict-log.ts";

export const iso = (ms: number) => TimeCodec.encode(ms);

const RolloutCodec = rolloutStateSchema(TimeCodec).extend({ lastTickAt: TickTimeCodec });
const VerdictEntryCodec = verdictEntrySchema(TimeCodec);
const ServingCodec = servingSinceSchema(TimeCodec);
const IncidentCodec = incidentSchema(TimeCodec);
const FiguresCodec = VersionFigures.extend({ from: TimeCodec, to: TimeCodec });

/** Verdicts of the verdict log with ISO times. */
export function verdictsWire(
  service: string,
  judge: RolloutVerdicts["judge"],
  entries: VerdictEntry[],
): RolloutVerdicts {
  return { service, judge, verdicts: entries.map((entry) => VerdictEntryCodec.encode(entry)) };
}

export function rolloutWire(state: RolloutState): RolloutStateWire {
  return RolloutCodec.encode(state);
}

export function servingWire(serving: ServingState | null): ServingWire | null {
  return serving && ServingCodec.encode(serving.current);
}

export function incidentWire(incident: Incident): IncidentWire {
  return IncidentCodec.encode(incident);
}

/** A window's figures (its counts, rates and percentiles) with ISO times. */
export function figuresWire(stats: WindowStats): WindowFigures {
  return FiguresCodec.encode(stats);
}
