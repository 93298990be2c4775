/**
 * `npx tsx spec/bench/heap-summary.ts <empty.heapsnapshot> <loaded.heapsnapshot> <connections>`:
 * what each idle connection costs on the server's heap, by constructor: the objects and bytes the
 * loaded snapshot holds beyond the empty one, divided by the number of connections. Snapshots come
 * from `npm run bench -- --only idle --profile`.
 */
import { readFileSync } from 'node:fs';

interface HeapSnapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: readonly string[]; readonly node_types: readonly [readonly string[]] } };
  readonly nodes: readonly number[];
  readonly strings: readonly string[];
}

/** Count and self size of the nodes of one snapshot, keyed by `type name`. */
function tally(file: string): Map<string, { count: number; bytes: number }> {
  const heap = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot;
  const fields = heap.snapshot.meta.node_fields;
  const types = heap.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const totals = new Map<string, { count: number; bytes: number }>();
  for (let offset = 0; offset < heap.nodes.length; offset += width) {
    const type = types[heap.nodes[offset + typeAt] ?? 0] ?? '?';
    const rawName = heap.strings[heap.nodes[offset + nameAt] ?? 0] ?? '?';
    // Strings and code are keyed by their kind only: their names are their contents.
    const name = type === 'object' || type === 'closure' || type === 'native' ? rawName.slice(0, 60) : '';
    const key = `${type} ${name}`.trim();
    const entry = totals.get(key) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += heap.nodes[offset + sizeAt] ?? 0;
    totals.set(key, entry);
  }
  return totals;
}

const [emptyFile, loadedFile, connectionsText, topText = '30'] = process.argv.slice(2);
if (!emptyFile || !loadedFile || !connectionsText) {
  console.error('usage: heap-summary.ts <empty.heapsnapshot> <loaded.heapsnapshot> <connections> [top]');
  process.exit(2);
}
const connections = Number(connectionsText);
const empty = tally(emptyFile);
const loaded = tally(loadedFile);
const growth = [...loaded.entries()]
  .map(([key, { count, bytes }]) => ({ key, count: (count - (empty.get(key)?.count ?? 0)) / connections, bytes: (bytes - (empty.get(key)?.bytes ?? 0)) / connections }))
  .filter((entry) => entry.bytes > 0)
  .sort((a, b) => b.bytes - a.bytes);
const total = growth.reduce((sum, entry) => sum + entry.bytes, 0);
console.log(`heap growth per connection: ${(total / 1024).toFixed(2)} KiB (self sizes, ${connections} connections)`);
console.log('  bytes/conn  objects/conn  type and constructor');
for (const entry of growth.slice(0, Number(topText))) {
  console.log(`  ${entry.bytes.toFixed(0).padStart(10)}  ${entry.count.toFixed(2).padStart(12)}  ${entry.key}`);
}
