// The contract between the analyser and the wrapper handlers: a handler gets a Run for one
// wrapper's words and reports back, through it, what that wrapper runs.

import type { Word } from '../shell/words.js';

/** Where a command is being analysed: what leads to it and what it inherits. */
export interface Scope {
  via: string[];
  depth: number;
  fromShell: boolean;
  remote: boolean;
  /** Programs are looked up somewhere else (chroot, another mount namespace, another host). */
  elsewhere: boolean;
  /** Replacement string (find's {}, xargs -I) that puts run-time input into the command. */
  placeholder?: RegExp;
  /** Shared by one line: a cd anywhere makes relative program paths unresolvable. */
  state: { cwdChanged: boolean };
}

export interface CommandOptions {
  /** The command runs in another directory: relative program paths cannot be resolved. */
  cwd?: boolean;
  /** The command's programs are looked up somewhere else (chroot, namespaces, another host). */
  elsewhere?: boolean;
  noResolve?: boolean;
  /** A shell runs the command (sudo -s, doas -s). */
  shell?: boolean;
  placeholder?: RegExp;
}

export interface LineOptions {
  /** A shell process runs the line (false for eval and trap: the current shell does). */
  shell?: boolean;
  /** The line runs on another machine (ssh). */
  remote?: boolean;
  placeholder?: RegExp;
  /** The line is a template whose placeholders the wrapper quotes itself (parallel). */
  templateLine?: boolean;
}

export interface Run {
  words: Word[];
  name: string;
  scope: Scope;
  command(at: number, o?: CommandOptions): void;
  commandWords(ws: Word[], o?: CommandOptions): void;
  line(w: Word, o?: LineOptions): void;
  program(w: Word): void;
  opaque(reason: string): void;
  note(text: string): void;
  shell(): void;
  changesDirectory(): void;
}

export type Handler = (run: Run) => void;

/** Each wrapper group fills a table of its own, so no module registers anything by being imported. */
export const defineIn =
  (table: Map<string, Handler>) =>
  (names: string[], h: Handler): void =>
    names.forEach((n) => table.set(n, h));
