/** The page's stylesheet: a light, quiet layout of cards, two charts and tables. */
export const pageStyle = String.raw`
:root {
  --bg: #f4f6f9; --panel: #ffffff; --ink: #1c2430; --muted: #667085; --line: #e4e8ee;
  --accent: #2f6fdf; --accent2: #16a37f; --warn: #c2410c; --ok: #15803d;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); }
header { display: flex; justify-content: space-between; align-items: center; padding: 14px 28px;
  background: #17202e; color: #e8edf5; }
.brand { display: flex; align-items: baseline; gap: 12px; }
.logo { font-weight: 700; font-size: 18px; letter-spacing: .2px; }
.subtitle { color: #9aa7ba; }
.meta { display: flex; align-items: center; gap: 16px; color: #b9c4d4; font-size: 13px; }
.node { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.pill { padding: 3px 10px; border-radius: 999px; background: #3a4658; color: #fff; font-size: 12px; }
.pill.live { background: var(--ok); }
.pill.down { background: var(--warn); }
main { padding: 20px 28px 40px; display: flex; flex-direction: column; gap: 18px; max-width: 1400px; margin: 0 auto; }
.cards { display: grid; grid-template-columns: repeat(6, minmax(0, 1fr)); gap: 14px; }
.card, .panel, .chart { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; }
.card { padding: 14px 16px; }
.card-title { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .5px; }
.card-value { font-size: 28px; font-weight: 650; margin-top: 4px; font-variant-numeric: tabular-nums; }
.card-sub { color: var(--muted); font-size: 12px; min-height: 1.45em; font-variant-numeric: tabular-nums; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
.chart { margin: 0; padding: 12px 16px 10px; position: relative; }
.chart figcaption { font-weight: 600; display: flex; justify-content: space-between; margin-bottom: 6px; }
.chart svg { width: 100%; height: 120px; display: block; background:
  repeating-linear-gradient(to bottom, transparent 0, transparent 29px, var(--line) 29px, var(--line) 30px); }
.axis { position: absolute; top: 38px; left: 20px; color: var(--muted); font-size: 11px; }
.legend { font-weight: 400; color: var(--muted); font-size: 12px; display: flex; align-items: center; gap: 6px; }
.legend i { display: inline-block; width: 12px; height: 3px; border-radius: 2px; }
.c1 { background: var(--accent); } .c2 { background: var(--accent2); }
.line1 { fill: none; stroke: var(--accent); stroke-width: 2; vector-effect: non-scaling-stroke; }
.line2 { fill: none; stroke: var(--accent2); stroke-width: 2; vector-effect: non-scaling-stroke; }
.area1 { fill: rgba(47, 111, 223, .10); stroke: none; }
.panel { padding: 14px 16px; overflow-x: auto; }
.panel h2 { font-size: 15px; margin: 0 0 10px; display: flex; gap: 8px; align-items: baseline; }
.panel h3 { font-size: 13px; margin: 16px 0 6px; color: var(--muted); font-weight: 600; }
.count { color: var(--muted); font-weight: 400; font-size: 13px; }
.row { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 14px; }
.row.mcp { grid-template-columns: 3fr 2fr; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th { text-align: left; color: var(--muted); font-weight: 500; font-size: 12px; border-bottom: 1px solid var(--line); padding: 6px 8px; }
td { padding: 6px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; max-width: 320px; overflow: hidden; text-overflow: ellipsis; }
tr:last-child td { border-bottom: none; }
.num { text-align: right; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; background: #e7f6ee; color: var(--ok); }
.badge.bad { background: #fdeee6; color: var(--warn); }
.empty { color: var(--muted); margin: 8px 0 0; }
.empty[hidden] { display: none; }
.events { list-style: none; margin: 0; padding: 0; max-height: 260px; overflow-y: auto; font-size: 13px; }
.events li { display: grid; grid-template-columns: 80px 70px 1fr; gap: 10px; padding: 4px 0; border-bottom: 1px solid var(--line); }
.events .time { color: var(--muted); font-variant-numeric: tabular-nums; }
.events .kind { color: var(--accent); font-weight: 600; }
.events li.warn .kind { color: var(--warn); }
pre { margin: 0; font-size: 12px; white-space: pre-wrap; }
@media (max-width: 1100px) { .cards { grid-template-columns: repeat(3, 1fr); } .charts, .row.mcp { grid-template-columns: 1fr; } }
`;
