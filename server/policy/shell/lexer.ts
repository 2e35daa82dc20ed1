// Turns a shell line into tokens: words, control operators, and redirects with their targets.
// Here-document bodies are read at the newline that follows their redirect, as the shell does.

// $(…) and `…` make the lexer and the parser call each other; the import cycle is safe because
// neither module touches the other while loading.
import { Parser, parseShell } from './parser.js';
import { arithmeticIssue } from './expansions.js';
import { WordReader } from './word-reader.js';
import { META, WordBuilder, syntax, type Script, type Word } from './words.js';

export type Token =
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

export class Lexer extends WordReader {
  private heredocs: Heredoc[] = [];

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

  protected nested(term: ')'): Script {
    return this.enter(() => {
      const out: Script = { commands: [], data: [], issues: [] };
      new Parser(this, out, term).run();
      return out;
    });
  }

  protected backquoted(content: string): Script {
    return parseShell(content, this.nesting + 1);
  }
}
