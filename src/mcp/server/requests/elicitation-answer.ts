import type { ElicitField, ElicitFormParams, ElicitResult } from '../../../protocol/index.js';
import { quotePeerText } from '../../../transport/index.js';

/**
 * Checks a client's answer to a form elicitation against the schema the server asked with: every
 * required field present, each value of its field's type, within its bounds, one of its options.
 * Fields the schema does not name pass, as JSON Schema has it. Returns the problems in plain words,
 * or `undefined` when the answer fits.
 */
export function elicitAnswerProblem(schema: ElicitFormParams['requestedSchema'], result: ElicitResult): string | undefined {
  if (result.action !== 'accept') return undefined;
  const content = result.content ?? {};
  const problems: string[] = [];
  for (const name of schema.required ?? []) {
    if (!Object.hasOwn(content, name)) problems.push(`content${access(name)}: is required`);
  }
  for (const [name, field] of Object.entries(schema.properties)) {
    if (!Object.hasOwn(content, name)) continue;
    const problem = fieldProblem(field, content[name]);
    if (problem !== undefined) problems.push(`content${access(name)}: ${problem}`);
  }
  return problems.length === 0 ? undefined : problems.slice(0, 4).join('; ') + (problems.length > 4 ? ` (and ${problems.length - 4} more)` : '');
}

function fieldProblem(field: ElicitField, value: unknown): string | undefined {
  switch (field.type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `expected true or false, got ${shown(value)}`;
    case 'number':
    case 'integer':
      return numberProblem(field, value);
    case 'array':
      return multiSelectProblem(field, value);
    case 'string':
      return stringProblem(field, value);
  }
}

function numberProblem(field: Extract<ElicitField, { type: 'number' | 'integer' }>, value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `expected a number, got ${shown(value)}`;
  if (field.type === 'integer' && !Number.isInteger(value)) return `expected an integer, got ${value}`;
  if (field.minimum !== undefined && value < field.minimum) return `expected at least ${field.minimum}, got ${value}`;
  if (field.maximum !== undefined && value > field.maximum) return `expected at most ${field.maximum}, got ${value}`;
  return undefined;
}

function stringProblem(field: Extract<ElicitField, { type: 'string' }>, value: unknown): string | undefined {
  if (typeof value !== 'string') return `expected a string, got ${shown(value)}`;
  const options = 'enum' in field ? field.enum : 'oneOf' in field ? field.oneOf.map((option) => option.const) : undefined;
  if (options !== undefined) return options.includes(value) ? undefined : `expected one of ${options.map((o) => JSON.stringify(o)).join(', ')}, got ${shown(value)}`;
  if (!('format' in field || 'minLength' in field || 'maxLength' in field)) return undefined;
  const { minLength, maxLength, format } = field as { minLength?: number; maxLength?: number; format?: string };
  const length = Array.from(value).length; // JSON Schema counts code points
  if (minLength !== undefined && length < minLength) return `expected at least ${count(minLength, 'character')}, got ${length}`;
  if (maxLength !== undefined && length > maxLength) return `expected at most ${count(maxLength, 'character')}, got ${length}`;
  if (format !== undefined && !FORMATS[format]?.(value)) return `expected ${format === 'uri' ? 'a URI' : `a${format === 'email' ? 'n' : ''} ${format}`}, got ${shown(value)}`;
  return undefined;
}

function multiSelectProblem(field: Extract<ElicitField, { type: 'array' }>, value: unknown): string | undefined {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) return `expected an array of strings, got ${shown(value)}`;
  const options = 'enum' in field.items ? field.items.enum : field.items.anyOf.map((option) => option.const);
  const unknown = value.find((item) => !options.includes(item));
  if (unknown !== undefined) return `expected each item one of ${options.map((o) => JSON.stringify(o)).join(', ')}, got ${shown(unknown)}`;
  if (field.minItems !== undefined && value.length < field.minItems) return `expected at least ${count(field.minItems, 'item')}, got ${value.length}`;
  if (field.maxItems !== undefined && value.length > field.maxItems) return `expected at most ${count(field.maxItems, 'item')}, got ${value.length}`;
  return undefined;
}

/** The formats a string field may ask for, checked as loosely as a form would. */
const FORMATS: Readonly<Record<string, (value: string) => boolean>> = {
  email: (value) => /^[^\s@]+@[^\s@]+$/.test(value),
  uri: (value) => /^[A-Za-z][A-Za-z0-9+.-]*:/.test(value) && URL.canParse(value),
  date: (value) => /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)),
  'date-time': (value) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && !Number.isNaN(Date.parse(value)),
};

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function access(name: string): string {
  return /^[A-Za-z_$][\w$]{0,127}$/.test(name) ? `.${name}` : `[${quotePeerText(name)}]`;
}

function shown(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return quotePeerText(value);
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : `a ${typeof value}`;
}
