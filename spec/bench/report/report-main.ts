/**
 * `npm run bench:report [results.json]`: regenerates the table in docs/benchmarks.md and
 * docs/benchmarks.svg from a results file (default spec/bench/results/latest.json), without measuring.
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { REPO_ROOT } from '../child.js';
import type { BenchResults } from '../results.js';
import { writeReport } from './write-report.js';

const file = resolve(process.argv[2] ?? `${REPO_ROOT}spec/bench/results/latest.json`);
const results = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
for (const written of writeReport(results)) console.log(`report: ${relative(REPO_ROOT, written)} (from ${relative(REPO_ROOT, file)})`);
