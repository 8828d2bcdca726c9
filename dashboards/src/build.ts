// npm run dashboards: writes dashboards/keystone-canary.json from the TypeScript source, in
// Grafana's export format (a datasource input, so it imports as is into Grafana 10 and later).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { canaryDashboard } from "./canary-dashboard.ts";

export const DASHBOARD_PATH = fileURLToPath(new URL("../keystone-canary.json", import.meta.url));

export function dashboardJson(): string {
  const exported = {
    __inputs: [
      {
        name: "DS_PROMETHEUS",
        label: "Prometheus",
        description: "The Prometheus that scrapes /_keystone/metrics",
        type: "datasource",
        pluginId: "prometheus",
        pluginName: "Prometheus",
      },
    ],
    __requires: [
      { type: "grafana", id: "grafana", name: "Grafana", version: "10.0.0" },
      { type: "datasource", id: "prometheus", name: "Prometheus", version: "1.0.0" },
      ...["timeseries", "stat", "state-timeline", "table"].map((id) => ({
        type: "panel",
        id,
        name: id,
        version: "",
      })),
    ],
    id: null,
    ...canaryDashboard,
  };
  return `${JSON.stringify(exported, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(DASHBOARD_PATH, dashboardJson());
  console.log(`wrote ${DASHBOARD_PATH}`);
}
