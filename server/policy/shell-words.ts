// A POSIX sh / bash tokenizer and a flat parser: enough structure to find every command word
// a shell line would run, never enough to run anything. It errs towards "opaque": whatever
// it cannot read with certainty becomes an issue, and an issue makes the caller distrust the
// whole line. Syntax errors, unterminated quotes and runaway nesting are issues, not crashes.

/** Longest shell line (or argv, summed) we agree to analyse. */
export const MAX_COMMAND_BYTES = 128 * 1024;
/** Deepest nesting of $(…), `…`, ${…} and $((…)) inside one line. */
const MAX_NESTING = 32;

export interface Word {
  /** The value after quote removal; expansions are kept as their source text. */
  text: string;
  /** Source text of the word. */
  raw: string;
  /** True when `text` is exactly what the program receives: no expansion, glob, brace or tilde. */
  literal: boolean;
  /** Some part was quoted or escaped (a quoted `if` is a command name, not a keyword). */
  quoted: boolean;
  /** Command and process substitutions inside the word: they run too. */
  subs: Script[];
  /** Reasons the word could make the shell run code that the line does not show. */
  issues: string[];
}

export interface SimpleCommand {
  /** `NAME=value` words before the command word. */
  assigns: Word[];
  /** The command word and its arguments (empty for an assignment-only command). */
  words: Word[];
}

export interface Script {
  commands: SimpleCommand[];
  /** Words that are never run but are expanded: redirect targets, here-documents, for lists… */
  data: Word[];
  issues: string[];
}

class ShellSyntaxError extends Error {}

const syntax = (message: string): ShellSyntaxError => new ShellSyntaxError(message);

export function literalWord(text: string): Word {
  return { text, raw: text, literal: true, quoted: true, subs: [], issues: [] };
}

/** Parses a shell line. Never throws on bad input: problems are returned as `issues`. */
export function parseShell(src: string, nesting = 0): Script {
  const out: Script = { commands: [], data: [], issues: [] };
  if (Buffer.byteLength(src, 'utf8') > MAX_COMMAND_BYTES) {
    out.issues.push(`the command line is longer than ${MAX_COMMAND_BYTES} bytes`);
    return out;
  }
  if (src.includes('\0')) {
    out.issues.push('the command line contains a NUL byte');
    return out;
  }
  try {
    new Parser(new Lexer(src, nesting), out, null).run();
  } catch (err) {
    if (!(err instanceof ShellSyntaxError)) throw err;
    out.issues.push(`shell syntax: ${err.message}`);
  }
  return out;
}

// --- words ---------------------------------------------------------------------------------

class WordBuilder {
  text = '';
  literal = true;
  quoted = false;
  subs: Script[] = [];
  issues: string[] = [];
  private braceDepth = 0;
  private braceList = false;

  lit(s: string): void {
    this.text += s;
  }
  quotedLit(s: string): void {
    this.text += s;
    this.quoted = true;
  }
  expansion(src: string): void {
    this.text += src;
    this.literal = false;
  }
  /** Unquoted `{a,b}` / `{1..3}` brace expansion makes one word several. */
  brace(c: string, next: string | undefined): void {
    if (c === '{') this.braceDepth++;
    else if (this.braceDepth > 0 && (c === ',' || (c === '.' && next === '.'))) this.braceList = true;
    else if (c === '}' && this.braceDepth > 0) {
      this.braceDepth--;
      if (this.braceList) this.literal = false;
    }
  }
  merge(other: WordBuilder): void {
    this.subs.push(...other.subs);
    this.issues.push(...other.issues);
  }
  done(raw: string): Word {
    return { text: this.text, raw, literal: this.literal, quoted: this.quoted, subs: this.subs, issues: this.issues };
  }
}

const META = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const SPECIAL_PARAM = /[0-9@*#?$!-]/;
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;

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
function parameterIssue(content: string): string | null {
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

function decodeAnsiC(body: string): string {
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

// --- lexer ---------------------------------------------------------------------------------

type Token =
  | { t: 'word'; w: Word }
  | { t: 'op'; op: string }
  | { t: 'redir'; op: string; target: Word; body?: Word }
  | { t: 'eof' };

const OPERATORS = [';;&', ';;', ';&', ';', '&&', '&>>', '&>', '&', '||', '|&', '|', '(', ')', '\n'];
const REDIRECTS = ['<<<', '<<-', '<<', '<>', '<&', '<', '>>', '>|', '>&', '>'];

interface Heredoc {
  delim: string;
  strip: boolean;
  expand: boolean;
  body: WordBuilder;
  word: Word;
}

class Lexer {
  pos = 0;
  private heredocs: Heredoc[] = [];

  constructor(
    readonly src: string,
    private nesting: number,
  ) {}

  private enter<T>(fn: () => T): T {
    if (this.nesting + 1 > MAX_NESTING) throw syntax(`substitutions nested deeper than ${MAX_NESTING}`);
    this.nesting++;
    try {
      return fn();
    } finally {
      this.nesting--;
    }
  }

  skipBlanks(): void {
    const s = this.src;
    for (;;) {
      const c = s[this.pos];
      if (c === ' ' || c === '\t') this.pos++;
      else if (c === '\\' && s[this.pos + 1] === '\n') this.pos += 2;
      else if (c === '#') while (this.pos < s.length && s[this.pos] !== '\n') this.pos++;
      else return;
    }
  }

  next(): Token {
    this.skipBlanks();
    const s = this.src;
    const p = this.pos;
    if (p >= s.length) return { t: 'eof' };
    if ((s[p] === '<' || s[p] === '>') && s[p + 1] === '(') return { t: 'word', w: this.readWord() };
    const fd = /^(?:[0-9]+|\{[A-Za-z_][A-Za-z0-9_]*\})(?=[<>])/.exec(s.slice(p, p + 64));
    const at = fd ? p + fd[0].length : p;
    const redir = REDIRECTS.find((r) => s.startsWith(r, at));
    if (redir && !(s[at + 1] === '(' && redir.length === 1)) {
      this.pos = at + redir.length;
      return this.redirect(redir);
    }
    if (s.startsWith('&>', p)) {
      const op = s.startsWith('&>>', p) ? '&>>' : '&>';
      this.pos = p + op.length;
      return this.redirect(op);
    }
    const op = OPERATORS.find((o) => s.startsWith(o, p));
    if (op) {
      this.pos = p + op.length;
      if (op === '\n') this.readHeredocBodies();
      return { t: 'op', op };
    }
    return { t: 'word', w: this.readWord() };
  }

  private redirect(op: string): Token {
    this.skipBlanks();
    const c = this.src[this.pos];
    if (c === undefined || c === '\n' || (META.has(c) && !((c === '<' || c === '>') && this.src[this.pos + 1] === '('))) {
      throw syntax(`${op} is missing its target`);
    }
    const target = this.readWord();
    if (op !== '<<' && op !== '<<-') return { t: 'redir', op, target };
    const body = new WordBuilder();
    const word: Word = { text: '', raw: '', literal: true, quoted: false, subs: body.subs, issues: body.issues };
    this.heredocs.push({ delim: target.text, strip: op === '<<-', expand: !target.quoted, body, word });
    return { t: 'redir', op, target, body: word };
  }

  private readHeredocBodies(): void {
    const pending = this.heredocs;
    this.heredocs = [];
    const s = this.src;
    for (const doc of pending) {
      let text = '';
      while (this.pos < s.length) {
        const end = s.indexOf('\n', this.pos);
        const line = s.slice(this.pos, end < 0 ? s.length : end);
        this.pos = end < 0 ? s.length : end + 1;
        if ((doc.strip ? line.replace(/^\t+/, '') : line) === doc.delim) break;
        text += line + '\n';
      }
      doc.word.text = doc.word.raw = text;
      if (doc.expand) {
        const inner = new Lexer(text, this.nesting);
        inner.readHereBody(doc.body);
        if (doc.body.subs.length || !doc.body.literal) doc.word.literal = false;
      }
    }
  }

  private readHereBody(b: WordBuilder): void {
    const s = this.src;
    while (this.pos < s.length) {
      const c = s[this.pos];
      if (c === '\\') this.pos += 2;
      else if (c === '$') this.readDollar(b, true);
      else if (c === '`') this.readBacktick(b, true);
      else this.pos++;
    }
  }

  readWord(): Word {
    const s = this.src;
    const start = this.pos;
    const b = new WordBuilder();
    for (;;) {
      const c = s[this.pos];
      if (c === undefined) break;
      if (this.pos === start && (c === '<' || c === '>' || c === '=') && s[this.pos + 1] === '(') {
        this.pos += 2;
        b.subs.push(this.nested(')'));
        b.expansion(`${c}(…)`);
        continue;
      }
      if (META.has(c)) break;
      if (c === '\\') {
        const n = s[this.pos + 1];
        if (n === '\n') this.pos += 2;
        else if (n === undefined) {
          b.lit('\\');
          this.pos++;
        } else {
          b.quotedLit(n);
          this.pos += 2;
        }
      } else if (c === "'") b.quotedLit(this.readSingle());
      else if (c === '"') this.readDouble(b);
      else if (c === '$') this.readDollar(b, false);
      else if (c === '`') this.readBacktick(b, false);
      else {
        if (c === '*' || c === '?' || (c === '[' && this.closesBracket())) b.expansion('');
        else if (c === '~' && this.pos === start) b.expansion('');
        else b.brace(c, s[this.pos + 1]);
        b.lit(c);
        this.pos++;
      }
    }
    if (s[this.pos] === '(' && ASSIGNMENT.test(s.slice(start, this.pos)) && s.slice(start, this.pos).endsWith('=')) {
      this.readArrayValue(b);
    }
    const raw = s.slice(start, this.pos);
    if (raw === '') throw syntax(`unexpected ${JSON.stringify(s[this.pos] ?? 'end of line')}`);
    return b.done(raw);
  }

  /** `NAME=(a b c)`: the elements are expanded words; `[i]=v` keys may be arithmetic. */
  private readArrayValue(b: WordBuilder): void {
    this.pos++;
    b.expansion('(…)');
    for (;;) {
      this.skipBlanks();
      const c = this.src[this.pos];
      if (c === undefined) throw syntax('unterminated array value');
      if (c === '\n') {
        this.pos++;
        continue;
      }
      if (c === ')') {
        this.pos++;
        return;
      }
      const el = this.readWord();
      b.subs.push(...el.subs);
      b.issues.push(...el.issues);
      const key = /^\[([^\]]*)\]=/.exec(el.raw);
      if (key && arithmeticIssue(key[1]!)) b.issues.push(`the array key [${key[1]}] is evaluated as arithmetic`);
    }
  }

  private closesBracket(): boolean {
    const s = this.src;
    for (let i = this.pos + 1; i < s.length; i++) {
      if (s[i] === ']') return true;
      if (META.has(s[i]!)) return false;
    }
    return false;
  }

  private readSingle(): string {
    const end = this.src.indexOf("'", this.pos + 1);
    if (end < 0) throw syntax('unterminated single quote');
    const body = this.src.slice(this.pos + 1, end);
    this.pos = end + 1;
    return body;
  }

  private readAnsiC(): string {
    const s = this.src;
    let i = this.pos + 2;
    while (i < s.length && s[i] !== "'") i += s[i] === '\\' ? 2 : 1;
    if (i >= s.length) throw syntax("unterminated $'…' quote");
    const body = s.slice(this.pos + 2, i);
    this.pos = i + 1;
    return decodeAnsiC(body);
  }

  private readDouble(b: WordBuilder): void {
    const s = this.src;
    this.pos++;
    b.quoted = true;
    for (;;) {
      const c = s[this.pos];
      if (c === undefined) throw syntax('unterminated double quote');
      if (c === '"') {
        this.pos++;
        return;
      }
      if (c === '\\') {
        const n = s[this.pos + 1];
        if (n === '\n') this.pos += 2;
        else if (n !== undefined && '$`"\\'.includes(n)) {
          b.quotedLit(n);
          this.pos += 2;
        } else {
          b.quotedLit('\\');
          this.pos++;
        }
      } else if (c === '$') this.readDollar(b, true);
      else if (c === '`') this.readBacktick(b, true);
      else {
        b.quotedLit(c);
        this.pos++;
      }
    }
  }

  private readDollar(b: WordBuilder, inDouble: boolean): void {
    const s = this.src;
    const n = s[this.pos + 1];
    if (n === '{') return this.readParameter(b);
    if (n === '(') {
      if (s[this.pos + 2] === '(' && this.isArithmetic(this.pos + 3)) {
        this.pos += 3;
        const expr = this.readArithmetic(b);
        const issue = arithmeticIssue(expr);
        if (issue) b.issues.push(issue);
        b.expansion(`$((${expr}))`);
        return;
      }
      this.pos += 2;
      b.subs.push(this.nested(')'));
      b.expansion('$(…)');
      return;
    }
    if (n === '[') {
      const end = s.indexOf(']', this.pos);
      if (end < 0) throw syntax('unterminated $[');
      b.issues.push('old-style $[…] arithmetic');
      b.expansion(s.slice(this.pos, end + 1));
      this.pos = end + 1;
      return;
    }
    if (!inDouble && n === "'") return b.quotedLit(this.readAnsiC());
    if (!inDouble && n === '"') {
      this.pos++;
      return this.readDouble(b);
    }
    if (n !== undefined && NAME_START.test(n)) {
      let i = this.pos + 1;
      while (i < s.length && NAME_CHAR.test(s[i]!)) i++;
      b.expansion(s.slice(this.pos, i));
      this.pos = i;
      return;
    }
    if (n !== undefined && SPECIAL_PARAM.test(n)) {
      b.expansion('$' + n);
      this.pos += 2;
      return;
    }
    if (inDouble) b.quotedLit('$');
    else b.lit('$');
    this.pos++;
  }

  private readParameter(b: WordBuilder): void {
    this.enter(() => {
      const s = this.src;
      const start = this.pos + 2;
      this.pos = start;
      const inner = new WordBuilder();
      for (;;) {
        const c = s[this.pos];
        if (c === undefined) throw syntax('unterminated ${');
        if (c === '}') break;
        if (c === '\\') this.pos += 2;
        else if (c === "'") this.readSingle();
        else if (c === '"') this.readDouble(inner);
        else if (c === '$') this.readDollar(inner, true);
        else if (c === '`') this.readBacktick(inner, true);
        else this.pos++;
      }
      const content = s.slice(start, this.pos);
      this.pos++;
      b.merge(inner);
      const issue = parameterIssue(content);
      if (issue) b.issues.push(issue);
      b.expansion('${' + content + '}');
    });
  }

  /** Bash reads `$((`/`((` as arithmetic only if the parentheses close with `))`. */
  isArithmetic(from: number): boolean {
    const s = this.src;
    let depth = 0;
    for (let i = from; i < s.length; i++) {
      const c = s[i];
      if (c === '\\') i++;
      else if (c === "'") {
        const end = s.indexOf("'", i + 1);
        if (end < 0) return false;
        i = end;
      } else if (c === '(') depth++;
      else if (c === ')') {
        if (depth > 0) depth--;
        else return s[i + 1] === ')';
      }
    }
    return false;
  }

  /** Reads up to the closing `))`; `pos` is just after the opening `((`. */
  private readArithmetic(b: WordBuilder): string {
    return this.enter(() => {
      const s = this.src;
      const start = this.pos;
      let depth = 0;
      for (;;) {
        const c = s[this.pos];
        if (c === undefined) throw syntax('unterminated arithmetic');
        if (c === '(') depth++;
        else if (c === ')') {
          if (depth === 0) {
            const expr = s.slice(start, this.pos);
            this.pos += 2;
            return expr;
          }
          depth--;
        }
        if (c === '$') this.readDollar(b, true);
        else if (c === '`') this.readBacktick(b, true);
        else if (c === "'") this.readSingle();
        else if (c === '"') this.readDouble(b);
        else this.pos += c === '\\' ? 2 : 1;
      }
    });
  }

  nextIsCompound(): boolean {
    this.skipBlanks();
    const c = this.src[this.pos];
    const n = this.src[this.pos + 1];
    return c === '(' || (c === '{' && (n === undefined || META.has(n)));
  }

  /** `(( expr ))` in command position: a command that is only arithmetic. */
  tryArithmeticCommand(): Word | null {
    this.skipBlanks();
    if (!this.src.startsWith('((', this.pos) || !this.isArithmetic(this.pos + 2)) return null;
    const start = this.pos;
    this.pos += 2;
    const b = new WordBuilder();
    const expr = this.readArithmetic(b);
    const issue = arithmeticIssue(expr);
    if (issue) b.issues.push(issue);
    b.expansion('');
    return b.done(this.src.slice(start, this.pos));
  }

  private readBacktick(b: WordBuilder, inDouble: boolean): void {
    const s = this.src;
    let content = '';
    let i = this.pos + 1;
    for (;;) {
      const c = s[i];
      if (c === undefined) throw syntax('unterminated backquote');
      if (c === '`') break;
      if (c === '\\') {
        const n = s[i + 1];
        if (n === '\n') i += 2;
        else if (n !== undefined && ('$`\\'.includes(n) || (inDouble && n === '"'))) {
          content += n;
          i += 2;
        } else {
          content += c;
          i++;
        }
      } else {
        content += c;
        i++;
      }
    }
    this.pos = i + 1;
    if (this.nesting + 1 > MAX_NESTING) throw syntax(`substitutions nested deeper than ${MAX_NESTING}`);
    b.subs.push(parseShell(content, this.nesting + 1));
    b.expansion('`…`');
  }

  /** Parses a nested list up to its closing `)`, sharing this lexer ($(…), <(…)). */
  private nested(term: ')'): Script {
    return this.enter(() => {
      const out: Script = { commands: [], data: [], issues: [] };
      new Parser(this, out, term).run();
      return out;
    });
  }
}

// --- parser --------------------------------------------------------------------------------

type Mode =
  | 'cmd'
  | 'args'
  | 'after'
  | 'time'
  | 'for-name'
  | 'for-in'
  | 'for-list'
  | 'for-do'
  | 'case-word'
  | 'case-in'
  | 'case-pat'
  | 'cond'
  | 'func-name'
  | 'func-open'
  | 'func-close'
  | 'coproc';

/** A word that can be a reserved word: unquoted, unexpanded. */
const plain = (w: Word): string | null => (w.literal && !w.quoted && w.raw === w.text ? w.text : null);

const ARITH_TEST = new Set(['-eq', '-ne', '-lt', '-le', '-gt', '-ge']);

class Parser {
  private mode: Mode = 'cmd';
  /** Open constructs, each as the word or token that closes it. */
  private readonly stack: ('paren' | 'case' | 'fi' | 'done' | '}')[] = [];
  private cur: SimpleCommand | null = null;
  private assigns: Word[] = [];
  private cond: Word[] = [];

  constructor(
    private readonly lx: Lexer,
    private readonly out: Script,
    private readonly term: ')' | null,
  ) {}

  run(): void {
    for (;;) {
      if (this.mode === 'cmd' || this.mode === 'time' || this.mode === 'for-name' || this.mode === 'coproc') {
        const arith = this.assigns.length === 0 ? this.lx.tryArithmeticCommand() : null;
        if (arith) {
          this.out.data.push(arith);
          this.mode = this.mode === 'for-name' ? 'for-do' : 'after';
          continue;
        }
      }
      const tok = this.lx.next();
      if (tok.t === 'eof') return this.eof();
      if (tok.t === 'word') this.word(tok.w);
      else if (tok.t === 'redir') {
        this.out.data.push(tok.target);
        if (tok.body) this.out.data.push(tok.body);
        if (this.mode === 'cond') this.cond.push(tok.target);
      } else if (this.op(tok.op)) return;
    }
  }

  private finish(): void {
    if (this.cur) this.out.commands.push(this.cur);
    else if (this.assigns.length) this.out.commands.push({ assigns: this.assigns, words: [] });
    this.cur = null;
    this.assigns = [];
  }

  private eof(): void {
    if (this.term) throw syntax('unterminated $( or <(');
    this.finish();
    const open = this.stack.at(-1);
    if (open) throw syntax(`missing ${open === 'paren' ? ')' : open === 'case' ? 'esac' : open}`);
    if (this.mode !== 'cmd' && this.mode !== 'args' && this.mode !== 'after') throw syntax('incomplete command');
  }

  private word(w: Word): void {
    const kw = plain(w);
    switch (this.mode) {
      case 'time':
        if (kw?.startsWith('-')) return;
        this.mode = 'cmd';
        return this.word(w);
      case 'cmd':
      case 'after':
        if (kw && this.assigns.length === 0 && this.keyword(kw)) return;
        if (this.mode === 'after') throw syntax(`unexpected word ${w.raw}`);
        if (ASSIGNMENT.test(w.raw)) {
          this.assigns.push(w);
          return;
        }
        this.cur = { assigns: this.assigns, words: [w] };
        this.assigns = [];
        this.mode = 'args';
        return;
      case 'args':
        this.cur!.words.push(w);
        return;
      case 'for-name':
        this.out.data.push(w);
        this.mode = 'for-in';
        return;
      case 'for-in':
      case 'for-do':
        if (kw === 'do') {
          this.stack.push('done');
          this.mode = 'cmd';
        } else if (kw === 'in' && this.mode === 'for-in') this.mode = 'for-list';
        else throw syntax(`unexpected word ${w.raw} in for`);
        return;
      case 'for-list':
        this.out.data.push(w);
        return;
      case 'case-word':
        this.out.data.push(w);
        this.mode = 'case-in';
        return;
      case 'case-in':
        if (kw !== 'in') throw syntax(`expected "in" after case, got ${w.raw}`);
        this.stack.push('case');
        this.mode = 'case-pat';
        return;
      case 'case-pat':
        if (kw === 'esac') return this.closeCase();
        this.out.data.push(w);
        return;
      case 'cond':
        if (kw === ']]') {
          this.checkCond();
          this.mode = 'after';
          return;
        }
        this.out.data.push(w);
        this.cond.push(w);
        return;
      case 'func-name':
        this.out.data.push(w);
        this.mode = 'func-open';
        return;
      case 'func-open':
        this.mode = 'cmd';
        return this.word(w);
      case 'func-close':
        throw syntax(`unexpected word ${w.raw} in a function definition`);
      case 'coproc':
        // `coproc NAME { …; }` names the coprocess; `coproc cmd args` runs cmd.
        this.mode = 'cmd';
        if (kw && /^[A-Za-z_][A-Za-z0-9_]*$/.test(kw) && this.lx.nextIsCompound()) {
          this.out.data.push(w);
          return;
        }
        return this.word(w);
    }
  }

  /** Reserved words change what the next word is; they are never programs. */
  private keyword(kw: string): boolean {
    switch (kw) {
      case 'if':
      case 'do':
      case '{':
        this.stack.push(kw === 'if' ? 'fi' : kw === 'do' ? 'done' : '}');
        this.mode = 'cmd';
        return true;
      case 'then':
      case 'else':
      case 'elif':
      case 'while':
      case 'until':
      case '!':
        this.mode = 'cmd';
        return true;
      case 'coproc':
        this.mode = 'coproc';
        return true;
      case 'fi':
      case 'done':
      case '}':
        this.finish();
        if (this.stack.at(-1) !== kw) throw syntax(`unexpected ${kw}`);
        this.stack.pop();
        this.mode = 'after';
        return true;
      case 'esac':
        this.finish();
        this.closeCase();
        return true;
      case 'time':
        this.mode = 'time';
        return true;
      case 'for':
      case 'select':
        this.mode = 'for-name';
        return true;
      case 'case':
        this.mode = 'case-word';
        return true;
      case 'function':
        this.mode = 'func-name';
        return true;
      case '[[':
        this.mode = 'cond';
        this.cond = [];
        return true;
      default:
        return false;
    }
  }

  private closeCase(): void {
    if (this.stack.at(-1) !== 'case') throw syntax('esac without case');
    this.stack.pop();
    this.mode = 'after';
  }

  /** `[[ a -eq b ]]` evaluates a and b as arithmetic; `-v name[sub]` evaluates the subscript. */
  private checkCond(): void {
    const c = this.cond;
    c.forEach((w, i) => {
      const op = plain(w);
      if (op && ARITH_TEST.has(op)) {
        for (const side of [c[i - 1], c[i + 1]]) {
          if (side && !(side.literal && /^[+-]?[0-9]+$/.test(side.text))) {
            this.out.issues.push(`[[ … ${op} … ]] evaluates ${side.raw} as arithmetic`);
          }
        }
      }
      if ((op === '-v' || op === '-R') && c[i + 1] && (!c[i + 1]!.literal || c[i + 1]!.text.includes('['))) {
        this.out.issues.push(`[[ ${op} ${c[i + 1]!.raw} ]] evaluates a subscript`);
      }
    });
  }

  /** Returns true at the end of a nested `$(…)`. */
  private op(op: string): boolean {
    const m = this.mode;
    switch (op) {
      case ';':
      case '&':
      case '\n':
        if (m === 'args' || m === 'after' || m === 'cmd' || m === 'time' || m === 'coproc') {
          this.finish();
          this.mode = 'cmd';
        } else if (m === 'for-list' || m === 'for-in') this.mode = 'for-do';
        else if (m === 'case-word' || m === 'func-name' || m === 'func-close') throw syntax(`unexpected ${JSON.stringify(op)}`);
        return false;
      case '&&':
      case '||':
      case '|':
      case '|&':
        if (m === 'cond' || (m === 'case-pat' && op === '|')) return false;
        if (m !== 'args' && m !== 'after') throw syntax(`unexpected ${op}`);
        this.finish();
        this.mode = 'cmd';
        return false;
      case ';;':
      case ';&':
      case ';;&':
        this.finish();
        if (this.stack.at(-1) !== 'case') throw syntax(`${op} outside case`);
        this.mode = 'case-pat';
        return false;
      case '(':
        if ((m === 'cmd' || m === 'time' || m === 'coproc') && this.assigns.length === 0) {
          this.stack.push('paren');
          this.mode = 'cmd';
        } else if (m === 'args' && this.cur!.words.length === 1 && this.cur!.assigns.length === 0) {
          // `name() body`: the name is defined, not run; the body is analysed where it stands.
          this.out.data.push(this.cur!.words[0]!);
          this.cur = null;
          this.mode = 'func-close';
        } else if (m === 'func-open') this.mode = 'func-close';
        else if (m !== 'case-pat' && m !== 'cond') throw syntax('unexpected (');
        return false;
      case ')':
        if (m === 'func-close' || m === 'case-pat') this.mode = 'cmd';
        else if (m === 'cond') return false;
        else if (this.stack.at(-1) === 'paren') {
          this.finish();
          this.stack.pop();
          this.mode = 'after';
        } else if (this.term === ')' && this.stack.length === 0) {
          if (m !== 'cmd' && m !== 'args' && m !== 'after') throw syntax('incomplete command before )');
          this.finish();
          return true;
        } else throw syntax('unexpected )');
        return false;
      default:
        throw syntax(`unexpected ${op}`);
    }
  }
}

// --- env -S --------------------------------------------------------------------------------

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
