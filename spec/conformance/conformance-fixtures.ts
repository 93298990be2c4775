/**
 * The "everything"-style fixtures the official conformance suite's server scenarios call
 * (`@modelcontextprotocol/conformance` 0.1.16): tool, resource and prompt names and replies as its
 * scenario sources describe them. They belong to the suite, not to MCPServer.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as t from 'io-ts';
import { ToolError, type ElicitParams, type HandlerContext, type MCPServer } from '../../src/mcp/index.js';

/** A 1×1 red PNG. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC';

/** What a form-elicitation's `requestedSchema` holds. */
type RequestedSchema = Extract<ElicitParams, { requestedSchema: unknown }>['requestedSchema'];

/** A tenth of a second of silence: a mono 8 kHz, 8-bit PCM WAV. */
function silentWav(): string {
  const samples = 800;
  const wav = Buffer.alloc(44 + samples, 0x80);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + samples, 4);
  wav.write('WAVEfmt ', 8, 'ascii');
  wav.writeUInt32LE(16, 16); // fmt chunk size
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(8000, 24); // sample rate
  wav.writeUInt32LE(8000, 28); // byte rate
  wav.writeUInt16LE(1, 32); // block align
  wav.writeUInt16LE(8, 34); // bits per sample
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(samples, 40);
  return wav.toString('base64');
}

const NO_ARGS = t.type({});

/** Registers everything the suite's active server scenarios (and their tools/resources/prompts lists) look for. */
export function registerConformanceFixtures(server: MCPServer): void {
  registerContentTools(server);
  registerNotifyingTools(server);
  registerAskingTools(server);
  registerResources(server);
  registerPrompts(server);
}

function registerContentTools(server: MCPServer): void {
  server.registerTool('test_simple_text', { description: 'Returns simple text', input: NO_ARGS }, () => 'This is a simple text response for testing.');
  server.registerTool('test_image_content', { description: 'Returns an image', input: NO_ARGS }, () => ({
    content: [{ type: 'image', data: PNG, mimeType: 'image/png' }],
  }));
  server.registerTool('test_audio_content', { description: 'Returns audio', input: NO_ARGS }, () => ({
    content: [{ type: 'audio', data: silentWav(), mimeType: 'audio/wav' }],
  }));
  server.registerTool('test_embedded_resource', { description: 'Returns an embedded resource', input: NO_ARGS }, () => ({
    content: [{ type: 'resource', resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' } }],
  }));
  server.registerTool('test_multiple_content_types', { description: 'Returns text, an image and a resource', input: NO_ARGS }, () => ({
    content: [
      { type: 'text', text: 'Multiple content types test:' },
      { type: 'image', data: PNG, mimeType: 'image/png' },
      { type: 'resource', resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: JSON.stringify({ test: 'data', value: 123 }) } },
    ],
  }));
  server.registerTool('test_error_handling', { description: 'Always fails', input: NO_ARGS }, () => {
    throw new ToolError('This tool intentionally returns an error for testing');
  });
}

/** Tools that send notifications while they run, ~50 ms apart as the scenarios ask. */
function registerNotifyingTools(server: MCPServer): void {
  server.registerTool('test_tool_with_logging', { description: 'Logs three messages while it runs', input: NO_ARGS }, async (_args, ctx) => {
    ctx.log('info', 'Tool execution started');
    await sleep(50, undefined, { signal: ctx.signal });
    ctx.log('info', 'Tool processing data');
    await sleep(50, undefined, { signal: ctx.signal });
    ctx.log('info', 'Tool execution completed');
    return 'Logging test completed';
  });
  server.registerTool('test_tool_with_progress', { description: 'Reports progress 0, 50, 100 of 100', input: NO_ARGS }, async (_args, ctx) => {
    ctx.progress(0, 100);
    await sleep(50, undefined, { signal: ctx.signal });
    ctx.progress(50, 100);
    await sleep(50, undefined, { signal: ctx.signal });
    ctx.progress(100, 100);
    return 'Progress test completed';
  });
}

/** Tools that ask the client: sampling, and the three elicitation scenarios. */
function registerAskingTools(server: MCPServer): void {
  server.registerTool('test_sampling', { description: 'Asks the client for an LLM completion', input: t.type({ prompt: t.string }) }, async ({ prompt }, ctx) => {
    const reply = await ctx.sample({ messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 100 });
    const blocks = Array.isArray(reply.content) ? reply.content : [reply.content];
    const text = blocks.map((block) => (block.type === 'text' ? block.text : `[${block.type}]`)).join('');
    return `LLM response: ${text}`;
  });
  server.registerTool('test_elicitation', { description: 'Asks the user for a name and an email', input: t.type({ message: t.string }) }, ({ message }, ctx) =>
    elicitAndReport(ctx, message, {
      type: 'object',
      properties: { username: { type: 'string', description: "User's response" }, email: { type: 'string', description: "User's email address" } },
      required: ['username', 'email'],
    }),
  );
  server.registerTool('test_elicitation_sep1034_defaults', { description: 'Elicits fields with defaults of every type (SEP-1034)', input: NO_ARGS }, (_args, ctx) =>
    elicitAndReport(ctx, 'Please review your information', {
      type: 'object',
      properties: {
        name: { type: 'string', description: 'User name', default: 'John Doe' },
        age: { type: 'integer', description: 'User age', default: 30 },
        score: { type: 'number', description: 'User score', default: 95.5 },
        status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
        verified: { type: 'boolean', description: 'Verification status', default: true },
      },
      required: [],
    }),
  );
  server.registerTool('test_elicitation_sep1330_enums', { description: 'Elicits every enum variant (SEP-1330)', input: NO_ARGS }, (_args, ctx) =>
    elicitAndReport(ctx, 'Please pick your options', {
      type: 'object',
      properties: {
        untitledSingle: { type: 'string', enum: ['option1', 'option2', 'option3'] },
        titledSingle: {
          type: 'string',
          oneOf: [
            { const: 'value1', title: 'First Option' },
            { const: 'value2', title: 'Second Option' },
            { const: 'value3', title: 'Third Option' },
          ],
        },
        legacyEnum: { type: 'string', enum: ['opt1', 'opt2', 'opt3'], enumNames: ['Option One', 'Option Two', 'Option Three'] },
        untitledMulti: { type: 'array', items: { type: 'string', enum: ['option1', 'option2', 'option3'] } },
        titledMulti: {
          type: 'array',
          items: {
            anyOf: [
              { const: 'value1', title: 'First Choice' },
              { const: 'value2', title: 'Second Choice' },
              { const: 'value3', title: 'Third Choice' },
            ],
          },
        },
      },
      required: [],
    }),
  );
}

async function elicitAndReport(ctx: HandlerContext, message: string, requestedSchema: RequestedSchema): Promise<string> {
  const answer = await ctx.elicit({ message, requestedSchema });
  return `Elicitation completed: action=${answer.action}, content=${JSON.stringify(answer.content ?? {})}`;
}

function registerResources(server: MCPServer): void {
  server.registerResource('test://static-text', { name: 'static-text', description: 'A static text resource', mimeType: 'text/plain' }, () => 'This is the content of the static text resource.');
  server.registerResource('test://static-binary', { name: 'static-binary', description: 'A static PNG', mimeType: 'image/png' }, (uri) => [
    { uri, mimeType: 'image/png', blob: PNG },
  ]);
  server.registerResource('test://watched-resource', { name: 'watched-resource', description: 'A resource to subscribe to', mimeType: 'text/plain' }, () => 'Watched resource content');
  server.registerResourceTemplate('test://template/{id}/data', { name: 'template-data', description: 'Data for an id', mimeType: 'application/json' }, (uri, { id }) => [
    { uri, mimeType: 'application/json', text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }) },
  ]);
}

const CITIES = ['paris', 'park', 'party', 'test', 'testing'];

function registerPrompts(server: MCPServer): void {
  server.registerPrompt('test_simple_prompt', { description: 'A prompt without arguments' }, () => 'This is a simple prompt for testing.');
  server.registerPrompt(
    'test_prompt_with_arguments',
    {
      description: 'A prompt with two arguments',
      args: t.type({ arg1: t.string, arg2: t.string }),
      complete: { arg1: (value) => CITIES.filter((city) => city.startsWith(value)) },
    },
    ({ arg1, arg2 }) => `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'`,
  );
  server.registerPrompt(
    'test_prompt_with_embedded_resource',
    { description: 'A prompt embedding a resource', args: t.type({ resourceUri: t.string }) },
    ({ resourceUri }) => [
      { role: 'user', content: { type: 'resource', resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' } } },
      { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
    ],
  );
  server.registerPrompt('test_prompt_with_image', { description: 'A prompt with an image' }, () => [
    { role: 'user', content: { type: 'image', data: PNG, mimeType: 'image/png' } },
    { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
  ]);
}
