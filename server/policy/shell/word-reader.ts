// Reads one shell word: quotes, escapes, parameter and arithmetic expansions, and command
// substitutions, noting everything that makes the word's final text unknowable in advance.
// The Lexer extends this with operators, redirects and here-documents.

import { arithmeticIssue, decodeAnsiC, parameterIssue } from './expansions.js';
import { ASSIGNMENT, MAX_NESTING, META, NAME_CHAR, NAME_START, SPECIAL_PARAM, WordBuilder, syntax, type Script, type Word } from './words.js';

export abstract class WordReader {
  pos = 0;

  constructor(
    readonly src: string,
    protected nesting: number,
  ) {}

  /** Parses a nested list up to its closing `)`, sharing this reader ($(…), <(…)). */
  protected abstract nested(term: ')'): Script;
  /** Parses the text of a `…` substitution, which the shell reads again on its own. */
  protected abstract backquoted(content: string): Script;

  protected enter<T>(fn: () => T): T {
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

  protected readHereBody(b: WordBuilder): void {
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
  protected readArithmetic(b: WordBuilder): string {
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
    b.subs.push(this.backquoted(content));
    b.expansion('`…`');
  }
}
