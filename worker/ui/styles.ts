// The page's one stylesheet, inlined and allowed by its hash in the Content-Security-Policy.
import { createHash } from "node:crypto";

export const STYLESHEET = `
:root { color-scheme: light dark; --fg: #1d2330; --muted: #5b6475; --line: #d9dde5; --bg: #f6f7f9;
  --card: #fff; --candidate: #e8710a; --baseline: #1a73e8; --other: #7b8494; --bad: #d93025;
  --good: #188038; font: 14px/1.45 system-ui, sans-serif; }
@media (prefers-color-scheme: dark) { :root { --fg: #e8eaed; --muted: #9aa0a6; --line: #3c4043;
  --bg: #202124; --card: #292a2d; } }
body { margin: 0; background: var(--bg); color: var(--fg); }
header { display: flex; align-items: center; gap: 1rem; padding: .75rem 1.5rem;
  border-bottom: 1px solid var(--line); background: var(--card); }
header h1 { font-size: 1.1rem; margin: 0; flex: 1; }
main { padding: 1.5rem; display: grid; grid-template-columns: minmax(0, 1fr); gap: 1.5rem;
  max-width: 1200px; margin: auto; }
section.service, form.sign-in { background: var(--card); border: 1px solid var(--line);
  border-radius: 8px; padding: 1rem 1.25rem; }
form.sign-in { max-width: 360px; margin: 4rem auto; display: grid; gap: .75rem; }
h2 { margin: 0 0 .25rem; font-size: 1.25rem; } h3 { margin: 1rem 0 .5rem; font-size: 1rem; }
.muted, .empty { color: var(--muted); }
.error { color: var(--bad); font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; margin-top: .75rem; }
figure { margin: 0; } figcaption { font-size: .8rem; color: var(--muted); }
svg.chart { background: var(--bg); border-radius: 4px; }
.line { fill: none; stroke-width: 1.5; }
.dot { stroke: none; fill: currentColor; }
.role-candidate { stroke: var(--candidate); color: var(--candidate); }
.role-baseline { stroke: var(--baseline); color: var(--baseline); }
.role-other { stroke: var(--other); color: var(--other); }
.threshold { stroke: var(--bad); stroke-dasharray: 4 3; stroke-width: 1; }
svg.steps { max-width: 100%; height: auto; }
@media (max-width: 640px) { header, main { padding: .75rem; } header { flex-wrap: wrap; }
  section.service { padding: .75rem; } table.facts th { width: auto; }
  table.versions, table.history, table.checks, table.metrics { display: block; overflow-x: auto; } }
.steps .done { fill: var(--good); } .steps .current { fill: var(--candidate); }
.steps .todo { fill: var(--line); } .steps .failed { fill: var(--bad); }
.steps text { fill: var(--fg); font-size: 11px; }
.phase { font-weight: 600; }
td.bad { color: var(--bad); font-weight: 600; } .summary { font-weight: 600; }
table.facts th { width: 14rem; color: var(--muted); font-weight: normal; }
input, button { font: inherit; padding: .4rem .6rem; }
`;

export const STYLESHEET_HASH = `'sha256-${createHash("sha256").update(STYLESHEET).digest("base64")}'`;
