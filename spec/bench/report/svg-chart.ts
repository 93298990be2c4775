import type { BenchResults } from '../results.js';
import { compare, type Comparison } from './comparisons.js';

/** Where issue 5 puts the bar for nexus-mcp, by metric. */
const TARGETS: Readonly<Record<string, number>> = {
  'rtt req/s C=100': 0.9,
  'rtt p99 C=100': 1.2,
  'fanout deliveries/s N=10000': 0.9,
  'fanout deliveries/s N=10000 per turn': 1.0,
  'idle heap/conn': 1.3,
  'idle RSS/conn': 1.3,
  'mcp calls/s C=10': 5,
  'cluster deliveries/s N=10000': 1.2,
};

/** How a group's reference is named in its heading. */
const REFERENCE_NAMES: Readonly<Record<string, string>> = {
  ws: 'raw ws',
  'sdk-http': 'SDK Streamable HTTP',
  'sdk-stdio': 'SDK stdio',
  socketio: 'socket.io + redis-adapter',
};

const COLORS: Readonly<Record<string, string>> = {
  nexus: '#2b6cb0',
  socketio: '#dd6b20',
  'nexus-simple': '#2b6cb0',
  'sdk-ws-nexus': '#38a169',
  'sdk-http-nexus': '#319795',
  'sdk-stdio-nexus': '#d53f8c',
  'sdk-http-json': '#718096',
  'sdk-stdio': '#805ad5',
};

const LABELS: Readonly<Record<string, string>> = {
  nexus: 'nexus-mcp',
  socketio: 'socket.io',
  'nexus-simple': 'SimpleMCPClient → MCPServer',
  'sdk-ws-nexus': 'SDK client (WebSocket) → MCPServer',
  'sdk-http-nexus': 'SDK client (Streamable HTTP) → MCPServer',
  'sdk-stdio-nexus': 'SDK client (stdio) → MCPServer',
  'sdk-http-json': 'SDK Streamable HTTP, JSON replies',
  'sdk-stdio': 'SDK stdio',
};

const WIDTH = 980;
const LABEL_X = 12;
const PLOT_LEFT = 300;
const PLOT_RIGHT = WIDTH - 70;
const BAR = 14;
const GAP = 4;
const HEADER = 24;

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fixed = (value: number): string => value.toFixed(1);

/**
 * A diverging bar chart of every ratio on a log₂ axis centred on 1×: a bar to the right is more than
 * the reference, to the left less. Each group says whether more is better; targets are red dashes.
 * Plain SVG text, generated from the results alone, so the same JSON always gives the same file.
 */
export function renderChart(results: BenchResults): string {
  const comparisons = compare(results);
  const metrics = [...new Set(comparisons.map((comparison) => comparison.metric))];
  const logs = [...comparisons.map((comparison) => Math.log2(comparison.ratio)), ...Object.values(TARGETS).map(Math.log2), 0];
  const low = Math.max(-5, Math.floor(Math.min(...logs)));
  const high = Math.min(7, Math.ceil(Math.max(...logs)));
  const x = (ratio: number): number => {
    const clamped = Math.min(high, Math.max(low, Math.log2(ratio)));
    return PLOT_LEFT + ((clamped - low) / (high - low)) * (PLOT_RIGHT - PLOT_LEFT);
  };
  const parts: string[] = [];
  let y = 64;
  for (const metric of metrics) {
    const group = comparisons.filter((comparison) => comparison.metric === metric);
    const first = group[0] as Comparison;
    const top = y;
    parts.push(
      `<text x="${LABEL_X}" y="${y + 15}" class="group">${escape(metric)} vs ${escape(REFERENCE_NAMES[first.reference] ?? first.reference)}` +
        ` (${first.higherIsBetter ? 'higher' : 'lower'} is better)</text>`,
    );
    y += HEADER;
    for (const comparison of group) {
      const from = x(1);
      const to = x(comparison.ratio);
      const color = COLORS[comparison.subject] ?? '#4a5568';
      parts.push(`<text x="${LABEL_X + 14}" y="${y + BAR - 3}">${escape(LABELS[comparison.subject] ?? comparison.subject)}</text>`);
      parts.push(
        `<rect x="${fixed(Math.min(from, to))}" y="${y}" width="${fixed(Math.max(1, Math.abs(to - from)))}" height="${BAR}" fill="${color}"/>`,
      );
      const valueX = to >= from ? to + 4 : to - 4;
      parts.push(
        `<text x="${fixed(valueX)}" y="${y + BAR - 3}" text-anchor="${to >= from ? 'start' : 'end'}" class="value">${comparison.ratio.toFixed(2)}×</text>`,
      );
      y += BAR + GAP;
    }
    const target = TARGETS[metric];
    if (target !== undefined) {
      const targetX = fixed(x(target));
      parts.push(`<line x1="${targetX}" x2="${targetX}" y1="${top + HEADER - 3}" y2="${y - GAP + 3}" class="target"/>`);
      parts.push(`<text x="${targetX}" y="${top + HEADER - 6}" text-anchor="middle" class="targetLabel">target ${target}×</text>`);
    }
    y += 10;
  }
  const ticks: string[] = [];
  for (let power = low; power <= high; power += 1) {
    const tickX = fixed(x(2 ** power));
    const label = power >= 0 ? `${2 ** power}×` : `1/${2 ** -power}×`;
    ticks.push(`<line x1="${tickX}" x2="${tickX}" y1="44" y2="${y}" class="${power === 0 ? 'one' : 'grid'}"/>`);
    ticks.push(`<text x="${tickX}" y="40" text-anchor="middle" class="tick">${label}</text>`);
  }
  const height = y + 30;
  const { meta } = results;
  const caption = `${meta.mode} run ${meta.date.slice(0, 10)}, Node ${meta.node}, ${meta.cores} cores${meta.pinned ? ', server and load pinned to separate cores' : ''}; log₂ axis`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    '<style>.group{font-weight:600}.value{font-size:11px;fill:#1a202c}.tick{font-size:11px;fill:#4a5568}' +
      '.grid{stroke:#e2e8f0}.one{stroke:#1a202c;stroke-width:1.5}.target{stroke:#e53e3e;stroke-width:2;stroke-dasharray:4 3}' +
      '.targetLabel{font-size:10px;fill:#e53e3e}.caption{font-size:11px;fill:#4a5568}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${LABEL_X}" y="20" font-size="14" font-weight="700">nexus-mcp benchmark ratios (reference = 1×)</text>`,
    ...ticks,
    ...parts,
    `<text x="${LABEL_X}" y="${height - 10}" class="caption">${escape(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
