/**
 * Matching URIs against RFC 6570 templates, the subset resource templates use in practice:
 * `{name}` (one segment: no `/`, `?` or `#`) and `{+name}` (anything, slashes included).
 *
 * @example matchUriTemplate('file:///{+path}', 'file:///a/b.txt') // { path: 'a/b.txt' }
 */
export interface UriTemplate {
  readonly template: string;
  readonly variables: readonly string[];
  match(uri: string): Record<string, string> | undefined;
}

const EXPRESSION = /\{(\+?)([A-Za-z0-9_]+)\}/g;

export function parseUriTemplate(template: string): UriTemplate {
  const variables: string[] = [];
  let pattern = '';
  let last = 0;
  for (const match of template.matchAll(EXPRESSION)) {
    const [whole, reserved, name] = match;
    if (name === undefined) continue;
    pattern += escapeRegExp(template.slice(last, match.index));
    pattern += reserved === '+' ? '(.*)' : '([^/?#]*)';
    variables.push(name);
    last = match.index + whole.length;
  }
  pattern += escapeRegExp(template.slice(last));
  const regex = new RegExp(`^${pattern}$`, 's');
  return {
    template,
    variables,
    match(uri) {
      const found = regex.exec(uri);
      if (!found) return undefined;
      const values: Record<string, string> = {};
      variables.forEach((name, index) => {
        values[name] = safeDecode(found[index + 1] ?? '');
      });
      return values;
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
