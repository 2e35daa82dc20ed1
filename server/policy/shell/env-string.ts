// `env -S` strings: GNU env splits them itself, with its own quoting rules, not a shell's.

import { literalWord, type Word } from './words.js';

/**
 * Splits an `env -S` string the way GNU env does: whitespace-separated, '…' and "…" quoting,
 * backslash escapes, `${NAME}` expansion (unknown here, so not literal), `#` comments.
 */
export function splitEnvString(s: string): Word[] | string {
  const words: Word[] = [];
  let i = 0;
  const escapes: Record<string, string> = { f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', _: ' ', '\\': '\\', "'": "'", '"': '"', $: '$', '#': '#' };
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i >= s.length) break;
    if (s[i] === '#') break;
    const start = i;
    let text = '';
    let literal = true;
    let quote: "'" | '"' | null = null;
    for (; i < s.length; i++) {
      const c = s[i]!;
      if (!quote && /\s/.test(c)) break;
      if (c === quote) quote = null;
      else if (!quote && (c === "'" || c === '"')) quote = c;
      else if (c === '\\' && quote !== "'") {
        const n = s[++i];
        if (n === 'c') return words.concat(literalWord(text));
        const e = n === undefined ? undefined : escapes[n];
        if (e === undefined) return `env -S: invalid escape \\${n ?? ''}`;
        text += e;
      } else if (c === '\\' && quote === "'" && (s[i + 1] === "'" || s[i + 1] === '\\')) text += s[++i];
      else if (c === '$' && quote !== "'") {
        const m = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}/.exec(s.slice(i));
        if (!m) return 'env -S: only ${NAME} may follow $';
        text += m[0];
        literal = false;
        i += m[0].length - 1;
      } else text += c;
    }
    if (quote) return 'env -S: unterminated quote';
    words.push({ text, raw: s.slice(start, i), literal, quoted: true, subs: [], issues: [] });
  }
  return words;
}
