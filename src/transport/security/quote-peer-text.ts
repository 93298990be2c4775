/**
 * A peer's own text in what we send back to it: an unknown tool name, a URI, a key, a message type.
 * Error replies repeat such text at most once, and only its first `PEER_TEXT_LIMIT` characters, so
 * the answer to a bad request is never much larger than the request (no reflection amplification).
 */

/** The most characters of a peer's string that a reply repeats; longer strings end in "…". */
export const PEER_TEXT_LIMIT = 128;

/** What would make a printed message unreadable or misleading: controls, invisible format characters (bidi overrides), line separators. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/**
 * `text` cut to its first 128 characters followed by "…", or unchanged when it is no longer than
 * that. Characters are code points: an emoji is never split in half. For a `data` member, where
 * JSON does the quoting.
 *
 * @example { code: -32602, message: 'Unknown tool', data: { name: cutPeerText(name) } }
 */
export function cutPeerText(text: string): string {
  // A string of at most 128 UTF-16 units has at most 128 code points.
  if (text.length <= PEER_TEXT_LIMIT) return text;
  let end = 0;
  let count = 0;
  for (const char of text) {
    if (count === PEER_TEXT_LIMIT) break;
    end += char.length;
    count += 1;
  }
  return end === text.length ? text : `${text.slice(0, end)}…`;
}

/**
 * `text` cut as `cutPeerText` does, as a JSON string literal with every control and invisible
 * character escaped, ready to embed in a message. `JSON.parse` of the result gives the cut text back.
 *
 * @example `Unknown message type: ${quotePeerText(type)}` // Unknown message type: "custm\n…"
 */
export function quotePeerText(text: string): string {
  return JSON.stringify(cutPeerText(text)).replace(UNPRINTABLE, escapeUnits);
}

function escapeUnits(char: string): string {
  let escaped = '';
  for (let i = 0; i < char.length; i += 1) escaped += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return escaped;
}
