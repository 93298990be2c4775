import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutPeerText, PEER_TEXT_LIMIT, quotePeerText } from '../../../src/transport/index.js';

/** Code points, as the cut counts them (not grapheme clusters). */
const codePoints = (text: string): number => Array.from(text).length;

/** Any string, lone surrogates, controls and astral characters included. */
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ maxLength: 300 }));

describe('cutPeerText', () => {
  it('leaves text of at most 128 characters as it is', () => {
    expect(cutPeerText('')).toBe('');
    expect(cutPeerText('no/such/tool')).toBe('no/such/tool');
    expect(cutPeerText('a'.repeat(128))).toBe('a'.repeat(128));
    expect(cutPeerText('😀'.repeat(128))).toBe('😀'.repeat(128));
  });

  it('cuts longer text to its first 128 characters and an ellipsis', () => {
    expect(cutPeerText('a'.repeat(129))).toBe(`${'a'.repeat(128)}…`);
    expect(cutPeerText(`${'b'.repeat(127)}xyz`)).toBe(`${'b'.repeat(127)}x…`);
    expect(cutPeerText('a'.repeat(400 * 1024))).toHaveLength(129);
  });

  it('counts code points, so an emoji is never cut in half', () => {
    expect(cutPeerText('😀'.repeat(200))).toBe(`${'😀'.repeat(128)}…`);
    expect(cutPeerText(`${'a'.repeat(127)}😀😀`)).toBe(`${'a'.repeat(127)}😀…`);
  });

  it('is a prefix of the text, of at most 128 code points before the ellipsis', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const cut = cutPeerText(text);
        const kept = cut === text ? cut : cut.slice(0, -1);
        expect(text.startsWith(kept)).toBe(true);
        expect(codePoints(kept)).toBeLessThanOrEqual(PEER_TEXT_LIMIT);
        expect(cut === text || (cut.endsWith('…') && codePoints(kept) === PEER_TEXT_LIMIT)).toBe(true);
      }),
    );
  });
});

describe('quotePeerText', () => {
  it('quotes the cut text as a JSON string', () => {
    expect(quotePeerText('custom_comand')).toBe('"custom_comand"');
    expect(quotePeerText('say "hi"\n')).toBe('"say \\"hi\\"\\n"');
    expect(quotePeerText('x'.repeat(1000))).toBe(`"${'x'.repeat(128)}…"`);
  });

  it('escapes invisible characters that could disguise a message: C1 controls, bidi overrides, line separators', () => {
    expect(quotePeerText('a\u0085b\u202Ec\u2028d\uFEFF')).toBe('"a\\u0085b\\u202ec\\u2028d\\ufeff"');
    expect(quotePeerText('tag\u{E0041}')).toBe('"tag\\udb40\\udc41"');
  });

  it('reads back as the cut text, and holds nothing unprintable', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const quoted = quotePeerText(text);
        expect(JSON.parse(quoted)).toBe(cutPeerText(text));
        expect(quoted).not.toMatch(/[\p{Cc}\p{Cf}\u2028\u2029]|\p{Cs}/u);
      }),
    );
  });
});
