import { describe, expect, it } from 'vitest';
import { RUN_LIMIT_MS, runExample } from '../support/run-example.js';

describe('examples/mcp-enhanced-demo.ts', () => {
  it(
    'serves tools, a resource and a prompt to its client, announces a runtime tool, and exits by itself',
    async () => {
      const run = await runExample('examples/mcp-enhanced-demo.ts');
      const out = run.stdout;
      expect({ exitCode: run.exitCode, signal: run.signal }, run.stderr).toEqual({ exitCode: 0, signal: null });
      expect(out).toContain('[client] connected to enhanced-demo 1.0.0, protocol 2025-11-25');
      expect(out).toContain('[client] tools: add, count_down, weather');
      expect(out).toContain('"a":{"type":"number","description":"first addend"}');
      expect(out).toContain('[client] add(19, 23) → 42');
      expect(out).toContain('isError=true: Invalid arguments for tool "add": arguments.b: expected a number, got "twenty-three"');
      expect(out).toContain('[client] progress 1/3 3…');
      expect(out).toContain('[client] progress 3/3 1…');
      expect(out).toContain('[client] count_down(3) → lift-off');
      expect(out).toContain('[client] weather(Lyon) structuredContent → {"city":"Lyon","celsius":22,"sky":"clear"}');
      expect(out).toContain('[client] notes://today → [{"uri":"notes://today","mimeType":"text/plain","text":"Ship the WebSocket transport."}]');
      expect(out).toContain('Nothing planned on 2025-12-24.');
      expect(out).toContain('Plan my day so that I finish the docs, feeling calm.');
      expect(out).toContain('[client] got notifications/tools/list_changed');
      expect(out).toContain('[client] tools now: add, count_down, roll_dice, weather');
      expect(out).toContain('[client] roll_dice(3) → [4,5,6]');
      expect(out).toContain('[server] tools/call count_down: ok');
      expect(out).toContain('[server] session closed: enhanced-demo-client (2025-11-25)');
      expect(out).toContain('done: client disconnected, server stopped; exiting by itself');
    },
    RUN_LIMIT_MS + 5_000,
  );
});
