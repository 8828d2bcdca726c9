/** @jsxImportSource hono/jsx */
// Small inline SVG charts: one line per version over the last 30 minutes, the threshold dashed.
// Pure geometry from numbers; no script, nothing fetched.
import type { VersionRole } from "../../../schemas/metrics.ts";

export interface ChartLine {
  name: string;
  role: VersionRole;
  points: (number | null)[];
}

const WIDTH = 280;
const HEIGHT = 72;
const PAD = 4;

/** Polyline coordinate strings, one per run of known values (a null breaks the line). */
export function segments(points: (number | null)[], max: number): string[] {
  const runs: string[][] = [[]];
  const step = points.length > 1 ? (WIDTH - 2 * PAD) / (points.length - 1) : 0;
  points.forEach((value, i) => {
    if (value === null) {
      if (runs[runs.length - 1]!.length > 0) runs.push([]);
      return;
    }
    const x = PAD + i * step;
    const y = HEIGHT - PAD - (value / max) * (HEIGHT - 2 * PAD);
    runs[runs.length - 1]!.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  });
  // A lone point is drawn as a short flat line so it stays visible.
  return runs
    .filter((run) => run.length > 0)
    .map((run) => (run.length === 1 ? `${run[0]} ${run[0]}` : run.join(" ")));
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
          segments(line.points, max).map((points) => (
            <polyline class={`line role-${line.role}`} data-version={line.name} points={points} />
          )),
        )}
      </svg>
      <figcaption>{caption}, last 30 min</figcaption>
    </figure>
  );
}
