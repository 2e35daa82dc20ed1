// What expansions mean once read: which ones evaluate text as code (arithmetic, indirect and
// transforming parameter expansions), and the value of a $'…' quote.

/** Arithmetic evaluates variables' values as expressions, and `a[$(cmd)]` in a value runs cmd. */
export function arithmeticIssue(expr: string): string | null {
  const withoutSafe = expr.replace(/\$[#?$!](?![A-Za-z0-9_])/g, '0');
  if (withoutSafe.includes('$') || withoutSafe.includes('`')) {
    return 'arithmetic on expanded text: the shell evaluates it again, which can run commands';
  }
  const withoutNumbers = withoutSafe.replace(/\b(?:0[xX][0-9A-Fa-f]+|[0-9]+#[0-9A-Za-z@_]+|[0-9]+)\b/g, '0');
  if (/[A-Za-z_]/.test(withoutNumbers)) {
    return 'arithmetic on a variable: bash evaluates its value, and a value like a[$(cmd)] runs cmd';
  }
  return null;
}

/** Checks the inside of `${…}` for forms that turn data into code. */
export function parameterIssue(content: string): string | null {
  if (content.startsWith('!') && content !== '!') return `indirect expansion \${${content}} can run code held in a variable`;
  if (content.startsWith('(')) return `zsh expansion flags in \${${content}} can evaluate a value as code`;
  let rest = content.startsWith('#') && content.length > 1 ? content.slice(1) : content;
  const name = /^([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])/.exec(rest);
  if (!name) return `unusual expansion \${${content}}`;
  rest = rest.slice(name[0].length);
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    const subscript = close < 0 ? rest : rest.slice(1, close);
    if (!/^(?:[@*]|\s*[0-9]+\s*)$/.test(subscript)) {
      return `the array subscript in \${${content}} is evaluated as arithmetic`;
    }
    rest = close < 0 ? '' : rest.slice(close + 1);
  }
  if (rest === '' || /^:?[-=?+]/.test(rest) || /^(?:##?|%%?|\/|\^\^?|,,?)/.test(rest)) return null;
  if (rest.startsWith(':')) return arithmeticIssue(rest.slice(1).replace(/:/g, ' ')) ? `the offset in \${${content}} is arithmetic on a variable` : null;
  if (/^@[A-Za-z]$/.test(rest)) return `the transformation \${${content}} can evaluate a value as code`;
  return `unusual expansion \${${content}}`;
}

export function decodeAnsiC(body: string): string {
  const simple: Record<string, string> = { a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\' || i + 1 >= body.length) {
      out += c;
      continue;
    }
    const n = body[++i]!;
    const mapped = simple[n];
    let m: RegExpExecArray | null;
    if (mapped !== undefined) out += mapped;
    else if ((m = /^[0-7]{1,3}/.exec(body.slice(i)))) {
      out += String.fromCharCode(parseInt(m[0], 8) & 0xff);
      i += m[0].length - 1;
    } else if (n === 'x' && (m = /^[0-9A-Fa-f]{1,2}/.exec(body.slice(i + 1)))) {
      out += String.fromCharCode(parseInt(m[0], 16));
      i += m[0].length;
    } else if ((n === 'u' || n === 'U') && (m = new RegExp(`^[0-9A-Fa-f]{1,${n === 'u' ? 4 : 8}}`).exec(body.slice(i + 1)))) {
      const cp = parseInt(m[0], 16);
      out += cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
      i += m[0].length;
    } else if (n === 'c' && i + 1 < body.length) {
      out += String.fromCharCode(body.charCodeAt(++i) & 0x1f);
    } else out += '\\' + n;
  }
  return out;
}
