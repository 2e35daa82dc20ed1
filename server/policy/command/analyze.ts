// Decides which programs a command would run, seeing through quoting, wrappers and nested
// shells. Pure: no I/O except the injected `resolve`. When we cannot be sure what runs, the
// analysis says so ("opaque") rather than guess.

import path from 'node:path';
import { parseShell } from '../shell/parser.js';
import { MAX_COMMAND_BYTES, literalWord, type Script, type Word } from '../shell/words.js';
import { MULTICALL, isCodeEnv } from './resolve.js';
import type { Run, Scope } from './run.js';
import type { Command, CommandAnalysis, ProgramUse, Resolve } from './types.js';
import { WRAPPERS } from './wrappers/index.js';

/** Deepest chain of nested command lines (sh -c, eval, su -c, …) we follow. */
export const MAX_SHELL_DEPTH = 8;
/** Longest wrapper chain we follow (nice nice nice … rm). */
const MAX_VIA = 32;
const MAX_PROGRAMS = 1000;

interface Ctx {
  resolve?: Resolve;
  programs: ProgramUse[];
  opaque: string[];
  notes: string[];
  shell: boolean;
}

export interface AnalyzeOptions {
  resolve?: Resolve;
  /** The environment the request adds: code-loading names (PATH, LD_PRELOAD…) make it opaque. */
  env?: Record<string, string>;
}

export function analyzeCommand(cmd: Command, opts: AnalyzeOptions = {}): CommandAnalysis {
  const ctx: Ctx = { resolve: opts.resolve, programs: [], opaque: [], notes: [], shell: false };
  const scope: Scope = { via: [], depth: 0, fromShell: false, remote: false, elsewhere: false, state: { cwdChanged: false } };
  const result = (invalid?: string): CommandAnalysis => ({
    programs: ctx.programs,
    shell: ctx.shell,
    opaque: [...new Set(ctx.opaque)],
    notes: [...new Set(ctx.notes)],
    ...(invalid ? { invalid } : {}),
  });
  for (const name of Object.keys(opts.env ?? {})) {
    if (isCodeEnv(name)) ctx.opaque.push(`the request sets ${name}, which changes what runs`);
  }
  if ('argv' in cmd) {
    const argv: unknown = cmd.argv;
    if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === 'string')) return result('argv must be a non-empty list of strings');
    if (argv.reduce((n: number, a: string) => n + Buffer.byteLength(a, 'utf8') + 1, 0) > MAX_COMMAND_BYTES) {
      return result(`the command is longer than ${MAX_COMMAND_BYTES} bytes`);
    }
    if (argv.some((a: string) => a.includes('\0'))) return result('the command contains a NUL byte');
    analyzeWords(argv.map(literalWord), scope, ctx);
    return result();
  }
  if (typeof cmd.shell !== 'string') return result('shell must be a string');
  if (Buffer.byteLength(cmd.shell, 'utf8') > MAX_COMMAND_BYTES) return result(`the command is longer than ${MAX_COMMAND_BYTES} bytes`);
  if (cmd.shell.includes('\0')) return result('the command contains a NUL byte');
  ctx.shell = true;
  analyzeScript(parseShell(cmd.shell), { ...scope, fromShell: true }, ctx);
  return result();
}

function analyzeScript(script: Script, scope: Scope, ctx: Ctx): void {
  for (const issue of script.issues) ctx.opaque.push(issue);
  for (const cmd of script.commands) {
    for (const a of cmd.assigns) {
      expansions(a, scope, ctx);
      assignmentIssues(a, ctx);
    }
    for (const w of cmd.words) expansions(w, scope, ctx);
    if (cmd.words.length) analyzeWords(cmd.words, scope, ctx);
  }
  for (const w of script.data) expansions(w, scope, ctx);
}

function expansions(w: Word, scope: Scope, ctx: Ctx): void {
  for (const issue of w.issues) ctx.opaque.push(issue);
  for (const sub of w.subs) analyzeScript(sub, scope, ctx);
}

function assignmentIssues(a: Word, ctx: Ctx): void {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(\[[^\]]*\])?/.exec(a.raw);
  if (!m) return;
  if (isCodeEnv(m[1]!)) ctx.opaque.push(`the command sets ${m[1]}, which changes what runs`);
  if (m[2] && !/^\[\s*[0-9]+\s*\]$/.test(m[2])) ctx.opaque.push(`the subscript in ${m[0]} is evaluated as arithmetic`);
}

function analyzeLine(text: string, scope: Scope, ctx: Ctx): void {
  if (scope.depth >= MAX_SHELL_DEPTH) {
    ctx.opaque.push(`command lines nested deeper than ${MAX_SHELL_DEPTH} levels`);
    return;
  }
  // The inner shell starts where the outer one is: a cd before it still counts.
  analyzeScript(parseShell(text), { ...scope, depth: scope.depth + 1, fromShell: true, state: { cwdChanged: scope.state.cwdChanged } }, ctx);
}

interface ProgramOptions {
  noResolve?: boolean;
  shell?: boolean;
}

function recordProgram(word: Word, scope: Scope, ctx: Ctx, o: ProgramOptions = {}): ProgramUse | null {
  if (!word.literal) {
    ctx.opaque.push(`the program ${word.text || word.raw} is only known when the command runs`);
    return null;
  }
  if (scope.placeholder?.test(word.text)) {
    ctx.opaque.push(`the program ${word.text} is filled in from input at run time`);
    return null;
  }
  if (ctx.programs.length >= MAX_PROGRAMS) {
    ctx.opaque.push(`more than ${MAX_PROGRAMS} programs`);
    return null;
  }
  // zsh runs `=rm` as the rm it finds on PATH.
  const text = scope.fromShell && word.raw.startsWith('=') && word.text.length > 1 ? word.text.slice(1) : word.text;
  const use: ProgramUse = { name: path.posix.basename(text), via: scope.via };
  if (text.includes('/')) use.path = text;
  if (scope.remote) use.remote = true;
  const relative = use.path !== undefined && !use.path.startsWith('/');
  if (relative && scope.state.cwdChanged) ctx.notes.push(`${text} is relative to a directory the command changes to; it was not resolved`);
  if (ctx.resolve && !o.noResolve && !scope.elsewhere && !(relative && scope.state.cwdChanged)) {
    let real: string | null = null;
    try {
      real = ctx.resolve(text);
    } catch {
      real = null;
    }
    if (real) {
      use.realPath = real;
      use.resolved = path.posix.basename(real);
    }
  }
  ctx.programs.push(use);
  return use;
}

/** Analyses words[0] as a program and, when it is a wrapper or a shell, what it runs in turn. */
function analyzeWords(words: Word[], scope: Scope, ctx: Ctx, o: ProgramOptions = {}): void {
  const first = words[0];
  if (!first) return;
  const use = recordProgram(first, scope, ctx, o);
  if (!use) return;
  if (o.shell && !scope.remote) ctx.shell = true;
  // What runs is the real file, unless it is a multi-call binary that reads its argv[0].
  const byReal = use.resolved && !MULTICALL.has(use.resolved) ? WRAPPERS.get(use.resolved) : undefined;
  const kind = use.resolved && !MULTICALL.has(use.resolved) && byReal ? use.resolved : use.name;
  const handler = byReal ?? WRAPPERS.get(use.name);
  if (!handler) return;
  if (scope.via.length >= MAX_VIA) {
    ctx.opaque.push(`wrappers nested deeper than ${MAX_VIA}`);
    return;
  }
  const inner: Scope = { ...scope, via: [...scope.via, use.name] };
  handler(makeRun(words, kind, inner, ctx));
}

function makeRun(words: Word[], kind: string, scope: Scope, ctx: Ctx): Run {
  const run: Run = {
    words,
    name: kind,
    scope,
    command(at, o = {}) {
      run.commandWords(words.slice(at), o);
    },
    commandWords(ws, o = {}) {
      if (ws.length === 0) return;
      const s: Scope = { ...scope };
      if (o.cwd) s.state = { cwdChanged: true };
      if (o.elsewhere) s.elsewhere = true;
      if (o.placeholder) s.placeholder = o.placeholder;
      analyzeWords(ws, s, ctx, { noResolve: o.noResolve, shell: o.shell });
    },
    line(w, o = {}) {
      if (!w.literal) return run.opaque(`the command line given to ${kind} is only known when the command runs`);
      if (!o.templateLine && scope.placeholder?.test(w.text)) return run.opaque(`${kind} runs a command line filled in from input at run time`);
      if (o.shell !== false && !scope.remote && !o.remote) ctx.shell = true;
      const remote = scope.remote || !!o.remote;
      analyzeLine(w.text, { ...scope, remote, elsewhere: scope.elsewhere || remote, placeholder: o.placeholder ?? scope.placeholder }, ctx);
    },
    program(w) {
      recordProgram(w, scope, ctx);
    },
    opaque(reason) {
      ctx.opaque.push(reason);
    },
    note(text) {
      ctx.notes.push(text);
    },
    shell() {
      if (!scope.remote) ctx.shell = true;
    },
    changesDirectory() {
      scope.state.cwdChanged = true;
    },
  };
  return run;
}
