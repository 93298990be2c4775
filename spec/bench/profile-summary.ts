/**
 * `npx tsx spec/bench/profile-summary.ts <file.cpuprofile | dir> [--top 25]`: what a `--cpu-prof`
 * profile of a server spent its time on. Prints self time by package/area, then the functions with
 * the most self time and the most inclusive time (anything under src/ is marked), so the hot path of
 * the transport can be read without opening DevTools.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { BUILD_DIR } from './build.js';
import { REPO_ROOT } from './child.js';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Where a frame's code lives: a file of ours, a package, Node itself, or V8's bookkeeping. */
function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const path = url.replace(/^file:\/\//, '');
  // The servers run src/ compiled into the build directory: show those files as src/….
  if (path.startsWith(`${BUILD_DIR}/`)) return `src/${path.slice(BUILD_DIR.length + 1)}`;
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (inPackage?.[1]) return inPackage[1];
  if (path.startsWith('node:')) return 'node internals';
  if (path.startsWith(REPO_ROOT)) return relative(REPO_ROOT, path);
  return path;
}

function nameOf(frame: CallFrame): string {
  const area = areaOf(frame);
  return `${frame.functionName || '(anonymous)'} ${area.startsWith('(') ? '' : `${area}:${frame.lineNumber + 1}`}`.trim();
}

function summarise(file: string, top: number): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfByNode = new Map<number, number>();
  profile.samples.forEach((id, index) => selfByNode.set(id, (selfByNode.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const total = [...selfByNode.values()].reduce((sum, value) => sum + value, 0);
  const idle = [...selfByNode.entries()]
    .filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)')
    .reduce((sum, [, value]) => sum + value, 0);
  const busy = total - idle;

  const selfByArea = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const inclusiveByFunction = new Map<string, number>();
  for (const [id, micros] of selfByNode) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    selfByArea.set(areaOf(node.callFrame), (selfByArea.get(areaOf(node.callFrame)) ?? 0) + micros);
    selfByFunction.set(nameOf(node.callFrame), (selfByFunction.get(nameOf(node.callFrame)) ?? 0) + micros);
    // Inclusive: every distinct function on the stack gets the sample once (recursion counted once).
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame) break;
      const name = nameOf(frame);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusiveByFunction.set(name, (inclusiveByFunction.get(name) ?? 0) + micros);
    }
  }
  const percent = (micros: number): string => `${((100 * micros) / busy).toFixed(1).padStart(5)}%`;
  const list = (entries: Map<string, number>, count: number): string =>
    [...entries.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, micros]) => `  ${percent(micros)}  ${name.includes('src/') ? '* ' : '  '}${name}`)
      .join('\n');
  console.log(`\n== ${relative(REPO_ROOT, file)}: ${(busy / 1e6).toFixed(2)} s busy, ${(idle / 1e6).toFixed(2)} s idle (percentages of busy)`);
  console.log(`self time by area:\n${list(selfByArea, 15)}`);
  console.log(`self time by function:\n${list(selfByFunction, top)}`);
  const ours = new Map([...inclusiveByFunction].filter(([name]) => name.includes('src/')));
  console.log(`inclusive time, functions under src/ (* marks ours):\n${list(ours, top)}`);
}

function profilesIn(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(path, name))
    .sort();
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
for (const target of positionals.length > 0 ? positionals : [join(REPO_ROOT, 'spec/bench/profiles')]) {
  for (const file of profilesIn(target)) summarise(file, Number(values.top));
}
