// Panel factories typed with Grafana's own schema (@grafana/schema): a panel that does not fit
// the dashboard model fails `npm run typecheck`, not an import in Grafana.
import {
  type DataQuery,
  type DataSourceRef,
  FieldColorModeId,
  type FieldConfigSource,
  type GridPos,
  MappingType,
  type Panel,
  ThresholdsMode,
  type ValueMapping,
} from "@grafana/schema";

/** Filled in by Grafana's import dialog: the Prometheus that scrapes Keystone. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's placeholder, not a JS template.
export const DATASOURCE: DataSourceRef = { type: "prometheus", uid: "${DS_PROMETHEUS}" };

/** A Prometheus target: Grafana's DataQuery plus the datasource's own fields. */
export type PrometheusQuery = {
  refId: DataQuery["refId"];
  datasource: DataSourceRef;
  expr: string;
  legendFormat: string;
  instant?: boolean;
  range?: boolean;
  format?: "time_series" | "table";
};

export interface Target {
  expr: string;
  legend: string;
  /** Drawn dashed: a limit or a setting, not a measurement (legend must end in DASHED). */
  dashed?: boolean;
}

type Place = Required<Pick<GridPos, "x" | "y" | "w" | "h">>;

let nextId = 1;

/** Series whose legend ends in one of these are settings, not measurements: drawn dashed. */
const DASHED = /(threshold|configured|plan)$/;

const dashedStyle: FieldConfigSource["overrides"] = [
  {
    matcher: { id: "byRegexp", options: DASHED.source },
    properties: [
      { id: "custom.lineStyle", value: { fill: "dash", dash: [10, 10] } },
      { id: "custom.fillOpacity", value: 0 },
    ],
  },
  {
    matcher: { id: "byRegexp", options: "threshold$" },
    properties: [{ id: "color", value: { mode: "fixed", fixedColor: "red" } }],
  },
];

function targets(list: Target[], instant = false): PrometheusQuery[] {
  return list.map(
    (t, i): PrometheusQuery => ({
      refId: String.fromCharCode(65 + i),
      datasource: DATASOURCE,
      expr: t.expr,
      legendFormat: t.legend,
      ...(instant ? { instant: true, range: false, format: "table" as const } : { range: true }),
    }),
  );
}

function base(type: string, title: string, description: string, place: Place): Panel {
  return { id: nextId++, type, title, description, datasource: DATASOURCE, gridPos: place };
}

/** Candidate in orange, baseline in blue, thresholds dashed red: the same in every graph. */
const roleColours: FieldConfigSource["overrides"] = [
  ["candidate.*", "orange"],
  ["baseline.*", "blue"],
].map(([pattern, colour]) => ({
  matcher: { id: "byRegexp", options: pattern },
  properties: [{ id: "color", value: { mode: "fixed", fixedColor: colour } }],
}));

export function timeseries(
  title: string,
  description: string,
  place: Place,
  unit: string,
  list: Target[],
  options: { stepped?: boolean; min?: number } = {},
): Panel {
  for (const t of list)
    if (Boolean(t.dashed) !== DASHED.test(t.legend))
      throw new Error(
        `legend "${t.legend}": only dashed series end in threshold, configured or plan`,
      );
  return {
    ...base("timeseries", title, description, place),
    targets: targets(list),
    fieldConfig: {
      defaults: {
        unit,
        min: options.min ?? 0,
        custom: {
          drawStyle: "line",
          lineInterpolation: options.stepped ? "stepAfter" : "linear",
          lineWidth: 2,
          fillOpacity: 10,
          showPoints: "never",
          spanNulls: false,
        },
      },
      overrides: [...roleColours, ...(list.some((t) => t.dashed) ? dashedStyle : [])],
    },
    options: {
      legend: { displayMode: "table", placement: "bottom", calcs: ["lastNotNull", "max"] },
      tooltip: { mode: "multi", sort: "desc" },
    },
  };
}

export function stat(
  title: string,
  description: string,
  place: Place,
  unit: string,
  list: Target[],
  mappings: ValueMapping[] = [],
): Panel {
  return {
    ...base("stat", title, description, place),
    targets: targets(list),
    fieldConfig: {
      defaults: {
        unit,
        mappings,
        thresholds: { mode: ThresholdsMode.Absolute, steps: [{ color: "green", value: null }] },
      },
      overrides: [],
    },
    options: {
      reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
      colorMode: "value",
      graphMode: "area",
      textMode: "value_and_name",
    },
  };
}

/** 0/1 series as coloured bands over time: which phase, which health. */
export function stateTimeline(
  title: string,
  description: string,
  place: Place,
  list: Target[],
  states: { value: string; text: string; color: string }[],
): Panel {
  const mapping: ValueMapping = {
    type: MappingType.ValueToText,
    options: Object.fromEntries(
      states.map((s, index) => [s.value, { text: s.text, color: s.color, index }]),
    ),
  };
  return {
    ...base("state-timeline", title, description, place),
    targets: targets(list),
    fieldConfig: {
      defaults: { mappings: [mapping], color: { mode: FieldColorModeId.Fixed } },
      overrides: [],
    },
    options: { showValue: "never", mergeValues: true, rowHeight: 0.8, alignValue: "center" },
  };
}

/** The latest value of each query, one row per `joinBy` value (e.g. one row per check). */
export function table(
  title: string,
  description: string,
  place: Place,
  list: Target[],
  joinBy: string,
): Panel {
  return {
    ...base("table", title, description, place),
    targets: targets(list, true),
    transformations: [
      { id: "merge", options: {} },
      {
        id: "organize",
        options: {
          excludeByName: { Time: true, service: true, candidate: true },
          renameByName: Object.fromEntries(
            list.map((t, i) => [`Value #${String.fromCharCode(65 + i)}`, t.legend]),
          ),
          indexByName: { [joinBy]: 0 },
        },
      },
    ],
    fieldConfig: { defaults: {}, overrides: [] },
    options: { showHeader: true, sortBy: [{ displayName: joinBy, desc: false }] },
  };
}
