import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, type } from 'node:os';
import { childOpenFileLimit, REPO_ROOT, type Placement } from './child.js';
import type { BenchConfig } from './config.js';
import type { RunMeta } from './results.js';

const MEASURED_PACKAGES = ['ws', 'socket.io', 'socket.io-client', '@modelcontextprotocol/sdk', 'rxjs', 'tsx'];

/** Describes the machine and the code the run measures. */
export function collectMeta(config: BenchConfig, placement: Placement, durationSeconds: number): RunMeta {
  return {
    date: new Date().toISOString(),
    mode: config.mode,
    node: process.version,
    os: `${type()} ${release()}`,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    loadAverageAtStart: loadavg().map((value) => Math.round(value * 100) / 100),
    pinned: placement.pinned,
    serverCore: placement.pinned ? placement.serverCore : null,
    loadCore: placement.pinned ? placement.loadCore : null,
    openFiles: childOpenFileLimit(),
    gitCommit: git(['rev-parse', '--short', 'HEAD']),
    gitDirty: git(['status', '--porcelain', '--', 'src']).length > 0,
    versions: Object.fromEntries(MEASURED_PACKAGES.map((name) => [name, packageVersion(name)])),
    config,
    durationSeconds,
  };
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function packageVersion(name: string): string {
  try {
    const manifest = JSON.parse(readFileSync(`${REPO_ROOT}node_modules/${name}/package.json`, 'utf8')) as { version?: string };
    return manifest.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
