// The shapes the shell reader produces, and the word builder the lexer fills in. A word keeps
// both its unquoted text and whether that text is exactly what the program will receive.

/** Longest shell line (or argv, summed) we agree to analyse. */
export const MAX_COMMAND_BYTES = 128 * 1024;
/** Deepest nesting of $(…), `…`, ${…} and $((…)) inside one line. */
export const MAX_NESTING = 32;

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

/** Thrown inside the lexer and parser only; parseShell turns it into an issue. */
export class ShellSyntaxError extends Error {}

export const syntax = (message: string): ShellSyntaxError => new ShellSyntaxError(message);

export function literalWord(text: string): Word {
  return { text, raw: text, literal: true, quoted: true, subs: [], issues: [] };
}

export class WordBuilder {
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

export const META = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);
export const NAME_START = /[A-Za-z_]/;
export const NAME_CHAR = /[A-Za-z0-9_]/;
export const SPECIAL_PARAM = /[0-9@*#?$!-]/;
export const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;
