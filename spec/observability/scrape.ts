/** Reading a Prometheus text exposition in specs: fetch it, and find one sample's value. */
import { expect } from 'vitest';

export interface Scrape {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
}

export async function scrape(url: string): Promise<Scrape> {
  const response = await fetch(url);
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

/** The value of the sample `name{labels}` (labels in any order), `undefined` when there is none. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const [, key = '', value = ''] of (match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) found[key] = value;
    const wanted = Object.entries(labels);
    if (wanted.length === Object.keys(found).length && wanted.every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

/** Scrapes until `check` passes on the text (metrics fed by streams settle within a turn or two), or fails after `withinMs`. */
export async function scrapeUntil(url: string, check: (text: string) => void, withinMs = 5000): Promise<string> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const { text } = await scrape(url);
    try {
      check(text);
      return text;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

export function expectSample(text: string, name: string, labels: Record<string, string>, value: number): void {
  expect(sample(text, name, labels), `${name}${JSON.stringify(labels)}`).toBe(value);
}
