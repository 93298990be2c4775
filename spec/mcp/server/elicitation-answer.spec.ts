/**
 * How a client's answer to a form elicitation is checked against the schema the server asked with:
 * each field kind of revision 2025-11-25, its bounds, formats and options; required fields; what
 * passes (fields the schema does not name, declines).
 */
import { describe, expect, it } from 'vitest';
import type { ElicitFormParams } from '../../../src/protocol/index.js';
import { elicitAnswerProblem } from '../../../src/mcp/server/requests/elicitation-answer.js';

const schema: ElicitFormParams['requestedSchema'] = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 2, maxLength: 5 },
    email: { type: 'string', format: 'email' },
    site: { type: 'string', format: 'uri' },
    born: { type: 'string', format: 'date' },
    at: { type: 'string', format: 'date-time' },
    age: { type: 'integer', minimum: 0, maximum: 150 },
    score: { type: 'number', minimum: 0.5 },
    ok: { type: 'boolean' },
    size: { type: 'string', enum: ['s', 'm'], enumNames: ['Small', 'Medium'] },
    color: { type: 'string', oneOf: [{ const: 'r', title: 'Red' }] },
    tags: { type: 'array', items: { type: 'string', enum: ['a', 'b', 'c'] }, minItems: 1, maxItems: 2 },
    picks: { type: 'array', items: { anyOf: [{ const: 'x', title: 'X' }] } },
  },
  required: ['name'],
};

const check = (content: Record<string, string | number | boolean | string[]>): string | undefined => elicitAnswerProblem(schema, { action: 'accept', content });

describe('elicitAnswerProblem', () => {
  it('accepts an answer that fits, fields the schema does not name included, and any decline or cancel', () => {
    expect(
      check({ name: 'Ada', email: 'ada@example.org', site: 'https://example.org/x', born: '1815-12-10', at: '2024-01-02T03:04:05Z', age: 36, score: 0.5, ok: false, size: 'm', color: 'r', tags: ['a', 'c'], picks: ['x'], extra: 'kept' }),
    ).toBeUndefined();
    expect(elicitAnswerProblem(schema, { action: 'decline' })).toBeUndefined();
    expect(elicitAnswerProblem(schema, { action: 'cancel' })).toBeUndefined();
  });

  it('names a missing required field', () => {
    expect(elicitAnswerProblem(schema, { action: 'accept' })).toBe('content.name: is required');
  });

  it('checks strings: length and format', () => {
    expect(check({ name: 'A' })).toBe('content.name: expected at least 2 characters, got 1');
    expect(check({ name: '👩‍🔬👩‍🔬' })).toBe('content.name: expected at most 5 characters, got 6');
    expect(check({ name: 'Ada', email: 'nope' })).toBe('content.email: expected an email, got "nope"');
    expect(check({ name: 'Ada', site: 'not a uri' })).toBe('content.site: expected a URI, got "not a uri"');
    expect(check({ name: 'Ada', born: '10/12/1815' })).toBe('content.born: expected a date, got "10/12/1815"');
    expect(check({ name: 'Ada', at: '2024-01-02' })).toBe('content.at: expected a date-time, got "2024-01-02"');
    expect(check({ name: 5 })).toBe('content.name: expected a string, got 5');
  });

  it('checks numbers, integers and booleans', () => {
    expect(check({ name: 'Ada', age: 36.5 })).toBe('content.age: expected an integer, got 36.5');
    expect(check({ name: 'Ada', age: 151 })).toBe('content.age: expected at most 150, got 151');
    expect(check({ name: 'Ada', score: 0.25 })).toBe('content.score: expected at least 0.5, got 0.25');
    expect(check({ name: 'Ada', score: '1' })).toBe('content.score: expected a number, got "1"');
    expect(check({ name: 'Ada', ok: 'yes' })).toBe('content.ok: expected true or false, got "yes"');
  });

  it('checks single and multi selects, titled or not', () => {
    expect(check({ name: 'Ada', size: 'Small' })).toBe('content.size: expected one of "s", "m", got "Small"');
    expect(check({ name: 'Ada', color: 'Red' })).toBe('content.color: expected one of "r", got "Red"');
    expect(check({ name: 'Ada', tags: [] })).toBe('content.tags: expected at least 1 item, got 0');
    expect(check({ name: 'Ada', tags: ['a', 'b', 'c'] })).toBe('content.tags: expected at most 2 items, got 3');
    expect(check({ name: 'Ada', tags: ['d'] })).toBe('content.tags: expected each item one of "a", "b", "c", got "d"');
    expect(check({ name: 'Ada', picks: 'x' })).toBe('content.picks: expected an array of strings, got "x"');
  });

  it('reports up to four problems and counts the rest', () => {
    expect(check({ name: 1, age: -1, score: -1, ok: 1, size: 'x', color: 'y' })).toBe(
      'content.name: expected a string, got 1; content.age: expected at least 0, got -1; content.score: expected at least 0.5, got -1; content.ok: expected true or false, got 1 (and 2 more)',
    );
  });
});
