/** @jsxImportSource hono/jsx */
// Small inline SVG charts: one line per version over the last 30 minutes, the threshold dashed.
// Pure geometry from numbers; no script, nothing fetched.
import type { VersionRole } from "../../admin/metrics/model.ts";

export interface ChartLine {
  name: string;
  role: VersionRole;
  points: (number | null)[];
}

const WIDTH = 280;
const HEIGHT = 72;
const PAD = 4;

/** Chart coordinates of each run of known values: a null (a minute without requests) breaks the line. */
export function runs(points: (number | null)[], max: number): [x: string, y: string][][] {
  const out: [string, string][][] = [[]];
  const step = points.length > 1 ? (WIDTH - 2 * PAD) / (points.length - 1) : 0;
  points.forEach((value, i) => {
    if (value === null) {
      if (out[out.length - 1]!.length > 0) out.push([]);
      return;
    }
    const y = HEIGHT - PAD - (value / max) * (HEIGHT - 2 * PAD);
    out[out.length - 1]!.push([(PAD + i * step).toFixed(1), y.toFixed(1)]);
  });
  return out.filter((run) => run.length > 0);
}

export function Chart(props: {
  title: string;
  unit: string;
  lines: ChartLine[];
  threshold: number | null;
}) {
  const values = props.lines.flatMap((l) => l.points.filter((p): p is number => p !== null));
  const max = Math.max(...values, props.threshold ?? 0) * 1.15 || 1;
  const thresholdY =
    props.threshold === null ? null : HEIGHT - PAD - (props.threshold / max) * (HEIGHT - 2 * PAD);
  const caption =
    props.threshold === null
      ? props.title
      : `${props.title} (dashed: threshold ${props.threshold}${props.unit})`;
  return (
    <figure>
      <svg
        class="chart"
        width={WIDTH}
        height={HEIGHT}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={caption}
      >
        <title>{caption}</title>
        {thresholdY === null ? null : (
          <line
            class="threshold"
            data-threshold={String(props.threshold)}
            x1={PAD}
            x2={WIDTH - PAD}
            y1={thresholdY.toFixed(1)}
            y2={thresholdY.toFixed(1)}
          />
        )}
        {props.lines.flatMap((line) =>
          runs(line.points, max).map((run) =>
            // A lone minute is a dot: a one-point line would not show.
            run.length === 1 ? (
              <circle
                class={`dot role-${line.role}`}
                data-version={line.name}
                cx={run[0]![0]}
                cy={run[0]![1]}
                r="2.5"
              />
            ) : (
              <polyline
                class={`line role-${line.role}`}
                data-version={line.name}
                points={run.map(([x, y]) => `${x},${y}`).join(" ")}
              />
            ),
          ),
        )}
      </svg>
      <figcaption>{caption}, last 30 min</figcaption>
    </figure>
  );
}
