// A flat parser over the lexer's tokens: it tracks just enough grammar (reserved words, for,
// case, functions, [[ … ]]) to tell a command word from data, and collects every simple
// command, including those inside compound commands and substitutions.

import { Lexer } from './lexer.js';
import { ASSIGNMENT, MAX_COMMAND_BYTES, ShellSyntaxError, syntax, type SimpleCommand, type Script, type Word } from './words.js';

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

export class Parser {
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
