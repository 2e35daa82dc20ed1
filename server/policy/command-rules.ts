// Decides which programs a peer's command would run, seeing through quoting, wrappers and
// nested shells, and gives the verdict of a peer's exec policy on it. Pure: no I/O except
// the injected `resolve` (and createResolver, which the caller may inject).
//
// The rule everywhere: when we cannot be sure what runs, say so ("opaque") rather than guess.
// Allowlist mode denies opaque commands, ask mode asks a human, full mode with a deny list
// denies them (the seat belt cannot be checked).

import fs from 'node:fs';
import path from 'node:path';
import { MAX_COMMAND_BYTES, arithmeticIssue, literalWord, parseShell, splitEnvString, type Script, type Word } from './shell-words.js';

export interface ProgramUse {
  /** Basename as written, after unquoting. */
  name: string;
  /** The word as written, when it had a slash. */
  path?: string;
  /** Basename of the real path, when `resolve` found the program. */
  resolved?: string;
  /** The real path itself. */
  realPath?: string;
  /** Wrapper chain that leads to this program, e.g. ['sudo', 'env']. */
  via: string[];
  /** Runs on another machine (ssh's remote command), so it was not resolved here. */
  remote?: true;
}

export interface CommandAnalysis {
  programs: ProgramUse[];
  /** A shell interpreter runs a command line (shell field, sh -c, sudo -s, su -c, …). */
  shell: boolean;
  /** Reasons the full set of programs cannot be known. */
  opaque: string[];
  /** Facts worth showing to a human that do not change the verdict. */
  notes: string[];
  /** The command cannot be analysed at all (too long, NUL byte, empty argv). */
  invalid?: string;
}

/** Maps a program (a name, or a path as written) to its real path on this machine, or null. */
export type Resolve = (program: string) => string | null;

export type Command = { argv: string[] } | { shell: string };

export interface ExecRules {
  mode: 'off' | 'ask' | 'allowlist' | 'full';
  allow: string[];
  deny: string[];
  shell: 'off' | 'ask' | 'allow';
}

export type DenyReason = 'exec-off' | 'command-invalid' | 'program-denied' | 'program-not-allowed' | 'command-opaque' | 'shell-off';
export type AskReason = 'program-not-allowed' | 'command-opaque' | 'shell-ask';

export type Verdict =
  | { decision: 'allow' }
  | { decision: 'deny'; reason: DenyReason; message: string; programs: string[] }
  | { decision: 'ask'; reason: AskReason; reasons: AskReason[]; message: string; programs: string[] };

/** Deepest chain of nested command lines (sh -c, eval, su -c, …) we follow. */
export const MAX_SHELL_DEPTH = 8;
/** Longest wrapper chain we follow (nice nice nice … rm). */
const MAX_VIA = 32;
const MAX_PROGRAMS = 1000;

/**
 * Programs that dispatch on the name they were called by (argv[0]): a symlink named `ls`
 * pointing at busybox runs busybox's ls, so the written name is what runs.
 */
const MULTICALL = new Set(['busybox', 'toybox', 'coreutils']);

// --- environment -----------------------------------------------------------------------------

const CODE_ENV = new Set([
  // where programs are found, and what the loader injects into every program
  'PATH', 'LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT',
  // files and strings shells run or expand as code
  'BASH_ENV', 'ENV', 'SHELLOPTS', 'BASHOPTS', 'PS0', 'PS1', 'PS2', 'PS3', 'PS4', 'PROMPT_COMMAND',
  'BASH_LOADABLES_PATH', 'FPATH', 'ZDOTDIR',
  // where git, zsh, npm… read configuration that names commands
  'HOME', 'XDG_CONFIG_HOME',
  // interpreters' injection points
  'NODE_OPTIONS', 'NODE_PATH', 'PYTHONPATH', 'PYTHONSTARTUP', 'PYTHONHOME', 'PERL5OPT', 'PERL5LIB', 'PERLLIB',
  'PERL5DB', 'RUBYOPT', 'RUBYLIB', 'MAKEFLAGS', 'MFLAGS', 'TAR_OPTIONS',
  // commands other programs run on our behalf
  'GIT_SSH', 'GIT_SSH_COMMAND', 'GIT_EXEC_PATH', 'GIT_EXTERNAL_DIFF', 'GIT_PAGER', 'GIT_EDITOR',
  'GIT_SEQUENCE_EDITOR', 'GIT_ASKPASS', 'GIT_PROXY_COMMAND', 'GIT_TEMPLATE_DIR', 'GIT_DIR', 'PAGER', 'MANPAGER',
  'EDITOR', 'VISUAL', 'SUDO_EDITOR', 'SUDO_ASKPASS', 'SSH_ASKPASS', 'LESSOPEN', 'LESSCLOSE', 'BROWSER', 'RSYNC_RSH',
]);
const CODE_ENV_PREFIXES = ['LD_', 'DYLD_', 'BASH_FUNC_', 'GIT_CONFIG'];

/**
 * True for environment variables that change which program runs or make a program run
 * code (PATH, LD_PRELOAD, BASH_ENV, BASH_FUNC_x%%, GIT_SSH_COMMAND, …). The exec route should
 * pass the request's env to analyzeCommand so these are caught there too.
 */
export function isCodeEnv(name: string): boolean {
  return CODE_ENV.has(name) || CODE_ENV_PREFIXES.some((p) => name.startsWith(p)) || /^npm_config_/i.test(name);
}

// --- analysis --------------------------------------------------------------------------------

interface Ctx {
  resolve?: Resolve;
  programs: ProgramUse[];
  opaque: string[];
  notes: string[];
  shell: boolean;
}

/** Where a command is being analysed: what leads to it and what it inherits. */
interface Scope {
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


// --- wrappers ----------------------------------------------------------------------------------
// Each handler reads a wrapper's own options exactly as the real program does and hands the
// command it runs back to the analyser. An option it does not know makes the command opaque:
// guessing whether an unknown option takes a value could shift which word is the program.

interface CommandOptions {
  /** The command runs in another directory: relative program paths cannot be resolved. */
  cwd?: boolean;
  /** The command's programs are looked up somewhere else (chroot, namespaces, another host). */
  elsewhere?: boolean;
  noResolve?: boolean;
  /** A shell runs the command (sudo -s, doas -s). */
  shell?: boolean;
  placeholder?: RegExp;
}

interface LineOptions {
  /** A shell process runs the line (false for eval and trap: the current shell does). */
  shell?: boolean;
  /** The line runs on another machine (ssh). */
  remote?: boolean;
  placeholder?: RegExp;
  /** The line is a template whose placeholders the wrapper quotes itself (parallel). */
  templateLine?: boolean;
}

interface Run {
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

type Handler = (run: Run) => void;

type Kind = 'arg' | 'flag' | 'opt';
interface OptSpec {
  /** Short options that take a value, attached or as the next word. */
  arg?: string;
  flag?: string;
  /** Short options whose value can only be attached (xargs -i{}, -l5). */
  opt?: string;
  /** Long name → the short letter it equals, or its kind. Unique prefixes match, as in getopt_long. */
  long?: Record<string, string>;
  /** `-5` / `--5` (nice's old form). */
  numeric?: boolean;
  /** Options may follow operands (getopt without '+'): su, script. */
  permute?: boolean;
}

interface Parsed {
  next: number;
  operands: number[];
  has(key: string): boolean;
  value(key: string): string | undefined;
  values(key: string): string[];
}

const HELP = { help: 'flag', version: 'flag' } as const;

function shortKind(spec: OptSpec, ch: string): Kind | null {
  if (spec.arg?.includes(ch)) return 'arg';
  if (spec.opt?.includes(ch)) return 'opt';
  if (spec.flag?.includes(ch)) return 'flag';
  return null;
}

function parseOptions(run: Run, start: number, spec: OptSpec): Parsed | null {
  const ws = run.words;
  const seen = new Map<string, (string | true)[]>();
  const operands: number[] = [];
  const set = (k: string, v: string | true): void => void seen.set(k, [...(seen.get(k) ?? []), v]);
  const fail = (why: string): null => {
    run.opaque(`${run.name}: ${why}`);
    return null;
  };
  const valueAt = (i: number, opt: string): string | null => {
    const v = ws[i];
    if (!v) return fail(`${opt} needs a value`);
    if (!v.literal) return fail(`the value of ${opt} is only known when the command runs`);
    return v.text;
  };
  let i = start;
  while (i < ws.length) {
    const w = ws[i]!;
    if (!w.literal) {
      if (!spec.permute) return fail(`${w.raw} is only known when the command runs, and could be an option`);
      return fail(`${w.raw} is only known when the command runs`);
    }
    const t = w.text;
    if (t === '--') {
      for (i++; spec.permute && i < ws.length; i++) operands.push(i);
      break;
    }
    if (spec.numeric && /^--?[+-]?[0-9]+$/.test(t)) {
      set('#', t.replace(/^--?/, ''));
      i++;
      continue;
    }
    if (t.startsWith('--')) {
      const eq = t.indexOf('=');
      const given = t.slice(2, eq < 0 ? undefined : eq);
      const names = Object.keys(spec.long ?? {});
      const prefixed = names.filter((n) => n.startsWith(given));
      const full = names.includes(given) ? given : prefixed.length === 1 ? prefixed[0] : undefined;
      if (!full || given === '') return fail(`unknown option --${given}`);
      const target = spec.long![full]!;
      const key = target.length === 1 ? target : full;
      const kind = target.length === 1 ? shortKind(spec, target) : (target as Kind);
      if (kind === 'arg') {
        if (eq >= 0) set(key, t.slice(eq + 1));
        else {
          const v = valueAt(i + 1, `--${full}`);
          if (v === null) return null;
          set(key, v);
          i++;
        }
      } else if (kind === 'flag') {
        if (eq >= 0) return fail(`--${full} takes no value`);
        set(key, true);
      } else set(key, eq >= 0 ? t.slice(eq + 1) : true);
      i++;
      continue;
    }
    if (t.startsWith('-') && t.length > 1) {
      let took = false;
      for (let j = 1; j < t.length; j++) {
        const ch = t[j]!;
        const kind = shortKind(spec, ch);
        if (kind === 'arg') {
          const rest = t.slice(j + 1);
          if (rest) set(ch, rest);
          else {
            const v = valueAt(i + 1, `-${ch}`);
            if (v === null) return null;
            set(ch, v);
            took = true;
          }
          break;
        }
        if (kind === 'opt') {
          set(ch, t.slice(j + 1) || true);
          break;
        }
        if (kind !== 'flag') return fail(`unknown option -${ch}`);
        set(ch, true);
      }
      i += took ? 2 : 1;
      continue;
    }
    if (!spec.permute) break;
    operands.push(i);
    i++;
  }
  const strings = (k: string): string[] => (seen.get(k) ?? []).filter((v): v is string => typeof v === 'string');
  return { next: i, operands, has: (k) => seen.has(k), value: (k) => strings(k).at(-1), values: strings };
}

/** `NAME=value` words before the command (sudo, env). Returns the next index, or -1. */
function assignmentsAt(run: Run, i: number): number {
  const ws = run.words;
  for (; i < ws.length; i++) {
    const w = ws[i]!;
    if (!w.literal) {
      run.opaque(`${run.name}: ${w.raw} is only known when the command runs`);
      return -1;
    }
    const m = /^([^=]+)=/.exec(w.text);
    if (!m) break;
    if (isCodeEnv(m[1]!)) run.opaque(`${run.name} sets ${m[1]}, which changes what runs`);
  }
  return i;
}

const joinLiteral = (run: Run, ws: Word[]): Word | null => {
  if (ws.some((w) => !w.literal)) {
    run.opaque(`the command line given to ${run.name} is only known when the command runs`);
    return null;
  }
  return literalWord(ws.map((w) => w.text).join(' '));
};

const escapeRe = (s: string): RegExp => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

const WRAPPERS = new Map<string, Handler>();
const define = (names: string[], h: Handler): void => names.forEach((n) => WRAPPERS.set(n, h));

// Shells. A flag cluster with `c` makes the first operand a command line; otherwise a shell
// runs a script file or its standard input, neither of which the command line shows.
const POSIX_SHELLS = ['sh', 'bash', 'dash', 'ash', 'ksh', 'ksh93', 'mksh', 'pdksh', 'oksh', 'lksh', 'posh', 'yash', 'zsh', 'rbash', 'rksh', 'hush'];
const OTHER_SHELLS = ['fish', 'csh', 'tcsh', 'pwsh', 'powershell', 'nu', 'elvish', 'xonsh', 'rc', 'es'];
export const SHELL_NAMES: readonly string[] = [...POSIX_SHELLS, ...OTHER_SHELLS];

define(POSIX_SHELLS, (run) => {
  run.shell();
  const ws = run.words;
  let c = false;
  let stdin = false;
  let i = 1;
  for (; i < ws.length; i++) {
    const w = ws[i]!;
    if (!w.literal) return run.opaque(`${run.name}: ${w.raw} is only known when the command runs`);
    const t = w.text;
    if (t === '--' || t === '-') {
      i++;
      break;
    }
    if (t.startsWith('--')) {
      if (t === '--rcfile' || t === '--init-file') i++;
      continue;
    }
    if ((t[0] === '-' || t[0] === '+') && t.length > 1) {
      for (const ch of t.slice(1)) {
        if (ch === 'c' && t[0] === '+') return run.opaque(`${run.name}: unusual option ${t}`);
        if (ch === 'c') c = true;
        else if (ch === 's') stdin = true;
        else if (ch === 'o' || ch === 'O') i++;
      }
      continue;
    }
    break;
  }
  const operand = ws[i];
  if (c) return operand ? run.line(operand) : run.opaque(`${run.name} -c without a command line`);
  if (stdin || !operand) return run.opaque(`${run.name} reads its commands from standard input`);
  run.opaque(`${run.name} runs the script ${operand.text || operand.raw}`);
});
define(OTHER_SHELLS, (run) => {
  run.shell();
  run.opaque(`${run.name} command lines are not analysed`);
});

define(['sudo'], (run) => {
  const p = parseOptions(run, 1, {
    arg: 'ugpCDrtUTRach',
    flag: 'AbEeHiKklnPSsVvBN',
    long: { user: 'u', group: 'g', host: 'h', prompt: 'p', 'close-from': 'C', chdir: 'D', role: 'r', type: 't', 'other-user': 'U', 'command-timeout': 'T', chroot: 'R', 'auth-type': 'a', 'login-class': 'c', askpass: 'A', background: 'b', edit: 'e', 'set-home': 'H', login: 'i', 'remove-timestamp': 'K', 'reset-timestamp': 'k', list: 'l', 'non-interactive': 'n', 'preserve-groups': 'P', stdin: 'S', shell: 's', validate: 'v', bell: 'B', 'no-update': 'N', 'preserve-env': 'opt', ...HELP },
  });
  if (!p) return;
  const i = assignmentsAt(run, p.next);
  if (i < 0) return;
  const shell = p.has('s') || p.has('i');
  if (p.has('e')) {
    run.program(literalWord('sudoedit'));
    return run.note('sudo -e edits files with the editor named by SUDO_EDITOR, VISUAL or EDITOR');
  }
  if (i >= run.words.length) {
    if (shell) {
      run.shell();
      run.opaque('sudo -s/-i without a command runs an interactive shell');
    }
    return;
  }
  run.command(i, { shell, cwd: p.has('D'), elsewhere: p.has('R') });
});

define(['doas'], (run) => {
  const p = parseOptions(run, 1, { arg: 'uC', flag: 'nsL' });
  if (!p) return;
  if (p.next >= run.words.length) {
    if (p.has('s')) {
      run.shell();
      run.opaque('doas -s runs an interactive shell');
    }
    return;
  }
  run.command(p.next, { shell: p.has('s') });
});

define(['env', 'genv'], (run) => {
  const queue = run.words.slice(1);
  let cwd = false;
  let options = true;
  const fail = (why: string): void => run.opaque(`env: ${why}`);
  const take = (opt: string, attached: string): string | null => {
    if (attached) return attached;
    const v = queue.shift();
    if (!v) return (fail(`${opt} needs a value`), null);
    if (!v.literal) return (fail(`the value of ${opt} is only known when the command runs`), null);
    return v.text;
  };
  const act = (opt: string, value: string): boolean => {
    if (opt === 'S') {
      const split = splitEnvString(value);
      if (typeof split === 'string') return (fail(split), false);
      queue.unshift(...split);
    } else if (opt === 'C') cwd = true;
    else if (opt === 'a') run.program(literalWord(value));
    return true;
  };
  const longs: Record<string, string> = { 'ignore-environment': 'flag', null: 'flag', unset: 'u', chdir: 'C', 'split-string': 'S', argv0: 'a', 'block-signal': 'opt', 'default-signal': 'opt', 'ignore-signal': 'opt', 'list-signal-handling': 'flag', debug: 'flag', ...HELP };
  while (queue.length) {
    const w = queue[0]!;
    if (!w.literal) return fail(`${w.raw} is only known when the command runs`);
    const t = w.text;
    if (options && (t === '--' || t === '-')) {
      queue.shift();
      options = false;
      continue;
    }
    if (options && t.startsWith('--')) {
      queue.shift();
      const eq = t.indexOf('=');
      const given = t.slice(2, eq < 0 ? undefined : eq);
      const names = Object.keys(longs).filter((n) => n === given || n.startsWith(given));
      const full = names.includes(given) ? given : names.length === 1 ? names[0]! : null;
      if (!full || !given) return fail(`unknown option --${given}`);
      const kind = longs[full]!;
      if (kind.length === 1) {
        const v = take(`--${full}`, eq < 0 ? '' : t.slice(eq + 1));
        if (v === null || !act(kind, v)) return;
      }
      continue;
    }
    if (options && t.startsWith('-') && t.length > 1) {
      queue.shift();
      for (let j = 1; j < t.length; j++) {
        const ch = t[j]!;
        if ('i0v'.includes(ch)) continue;
        if ('uCSa'.includes(ch)) {
          const v = take(`-${ch}`, t.slice(j + 1));
          if (v === null || !act(ch, v)) return;
          break;
        }
        return fail(ch === 'P' ? '-P looks programs up in another path' : `unknown option -${ch}`);
      }
      continue;
    }
    options = false;
    const m = /^([^=]+)=/.exec(t);
    if (!m) break;
    if (isCodeEnv(m[1]!)) run.opaque(`env sets ${m[1]}, which changes what runs`);
    queue.shift();
  }
  run.commandWords(queue, { cwd });
});

const simple = (names: string[], spec: OptSpec, after?: (run: Run, p: Parsed) => number | null): void =>
  define(names, (run) => {
    const p = parseOptions(run, 1, spec);
    if (!p) return;
    const at = after ? after(run, p) : p.next;
    if (at !== null) run.command(at);
  });

simple(['nice', 'gnice'], { arg: 'n', numeric: true, long: { adjustment: 'n', ...HELP } });
simple(['nohup', 'gnohup'], { long: HELP });
simple(['setsid'], { flag: 'cfwhV', long: { ctty: 'c', fork: 'f', wait: 'w', ...HELP } });
simple(['stdbuf', 'gstdbuf'], { arg: 'ioe', long: { input: 'i', output: 'o', error: 'e', ...HELP } });
simple(['time', 'gtime'], { arg: 'fo', flag: 'pavqVlh', long: { portability: 'p', format: 'f', output: 'o', append: 'a', verbose: 'v', quiet: 'q', ...HELP } });
simple(['caffeinate'], { arg: 'tw', flag: 'dimsu' });
simple(['ssh-agent'], { arg: 'aEPtO', flag: 'cDdksT' });
simple(['catchsegv', 'builtin', 'noglob', 'nocorrect', '-'], {}, () => 1);
simple(['strace'], { arg: 'aAbeEIoOpPsSuUX', flag: 'cCdDfFhikNnqrtTvVwxyYzZ' }, (_r, p) => (p.has('p') ? null : p.next));
simple(['timeout', 'gtimeout'], { arg: 'sk', flag: 'vfp', long: { signal: 's', 'kill-after': 'k', verbose: 'v', foreground: 'f', 'preserve-status': 'p', ...HELP } }, (run, p) => {
  const d = run.words[p.next];
  if (d && !d.literal) return (run.opaque('timeout: the duration is only known when the command runs'), null);
  return p.next + 1;
});
simple(['ionice'], { arg: 'cnpPu', flag: 'thV', long: { class: 'c', classdata: 'n', pid: 'p', pgid: 'P', uid: 'u', ignore: 't', ...HELP } }, (_r, p) =>
  p.has('p') || p.has('P') || p.has('u') ? null : p.next,
);
simple(['chrt'], { arg: 'TPD', flag: 'bdfiorRamphvV', long: { batch: 'b', deadline: 'd', fifo: 'f', idle: 'i', other: 'o', rr: 'r', 'reset-on-fork': 'R', 'all-tasks': 'a', max: 'm', pid: 'p', verbose: 'v', 'sched-runtime': 'T', 'sched-period': 'P', 'sched-deadline': 'D', ...HELP } }, (run, p) => {
  if (p.has('p') || p.has('m')) return null;
  const prio = run.words[p.next];
  if (prio && !prio.literal) return (run.opaque('chrt: the priority is only known when the command runs'), null);
  // newer chrt lets the priority be left out for policies that have none
  return prio && /^[0-9]+$/.test(prio.text) ? p.next + 1 : p.next;
});
simple(['taskset'], { flag: 'apchV', long: { 'all-tasks': 'a', pid: 'p', 'cpu-list': 'c', ...HELP } }, (run, p) => {
  if (p.has('p')) return null;
  const mask = run.words[p.next];
  if (mask && !mask.literal) return (run.opaque('taskset: the mask is only known when the command runs'), null);
  return p.next + 1;
});
simple(['command'], { flag: 'pvV' }, (_r, p) => (p.has('v') || p.has('V') ? null : p.next));
simple(['repeat'], {}, () => 2);
simple(['pkexec'], { long: { user: 'arg', 'disable-internal-agent': 'flag', 'keep-cwd': 'flag', ...HELP } }, (run, p) => {
  if (p.next < run.words.length) return p.next;
  run.shell();
  return (run.opaque('pkexec without a command runs a shell'), null);
});

define(['exec'], (run) => {
  const p = parseOptions(run, 1, { arg: 'a', flag: 'cl' });
  if (!p) return;
  const argv0 = p.value('a');
  // a multi-call binary started as `exec -a rm busybox` runs its rm
  if (argv0 !== undefined) run.program(literalWord(argv0));
  run.command(p.next);
});

define(['xargs', 'gxargs'], (run) => {
  const p = parseOptions(run, 1, {
    arg: 'adEILnPsJRS',
    flag: '0oprtx',
    opt: 'eil',
    long: { 'arg-file': 'a', delimiter: 'd', eof: 'opt', replace: 'opt', 'max-lines': 'opt', 'max-args': 'n', 'max-procs': 'P', 'max-chars': 's', 'process-slot-var': 'arg', null: '0', 'open-tty': 'o', interactive: 'p', 'no-run-if-empty': 'r', verbose: 't', exit: 'x', 'show-limits': 'flag', ...HELP },
  });
  if (!p) return;
  const replace = p.value('I') ?? p.value('J') ?? (p.has('i') ? (p.value('i') ?? '{}') : undefined) ?? (p.has('replace') ? (p.value('replace') ?? '{}') : undefined);
  if (p.next >= run.words.length) return run.program(literalWord('echo'));
  run.command(p.next, { placeholder: replace ? escapeRe(replace) : undefined });
});

define(['find', 'gfind'], (run) => {
  const ws = run.words;
  const unknown = ws.find((w) => !w.literal);
  if (unknown) return run.opaque(`find: ${unknown.raw} is only known when the command runs, and could add -exec`);
  for (let i = 1; i < ws.length; i++) {
    if (!['-exec', '-execdir', '-ok', '-okdir'].includes(ws[i]!.text)) continue;
    let j = i + 1;
    while (j < ws.length && !(ws[j]!.text === ';' || (ws[j]!.text === '+' && ws[j - 1]!.text === '{}'))) j++;
    run.commandWords(ws.slice(i + 1, j), { placeholder: /\{\}/ });
    i = j;
  }
});

define(['watch'], (run) => {
  const p = parseOptions(run, 1, {
    arg: 'nq',
    flag: 'bcCegptwxrhv',
    opt: 'd',
    long: { interval: 'n', equexit: 'q', beep: 'b', color: 'c', 'no-color': 'C', differences: 'opt', errexit: 'e', chgexit: 'g', precise: 'p', 'no-title': 't', 'no-wrap': 'w', exec: 'x', 'no-rerun': 'r', ...HELP },
  });
  if (!p || p.next >= run.words.length) return;
  if (p.has('x')) return run.command(p.next);
  const line = joinLiteral(run, run.words.slice(p.next));
  if (line) run.line(line);
});

const suLike = (runuser: boolean) => (run: Run) => {
  const p = parseOptions(run, 1, {
    permute: true,
    arg: runuser ? 'cgGswu' : 'cgGsw',
    flag: 'flmpPhV',
    long: { command: 'c', 'session-command': 'arg', group: 'g', 'supp-group': 'G', shell: 's', 'whitelist-environment': 'w', fast: 'f', login: 'l', 'preserve-environment': 'p', pty: 'P', ...(runuser ? { user: 'u' } : {}), ...HELP },
  });
  if (!p) return;
  run.shell();
  const ops = p.operands.filter((i) => run.words[i]!.text !== '-').map((i) => run.words[i]!);
  if (runuser && p.has('u')) {
    return ops.length ? run.commandWords(ops) : run.opaque('runuser without a command runs an interactive shell');
  }
  const shell = p.value('s');
  if (shell !== undefined) run.program(literalWord(shell));
  const line = p.value('c') ?? p.value('session-command');
  if (line !== undefined) run.line(literalWord(line));
  // words after the user go to the user's shell as its own arguments
  const shellArgs = ops.slice(1);
  if (shellArgs.length) run.commandWords([literalWord(shell ?? 'sh'), ...shellArgs]);
  if (line === undefined && !shellArgs.length) run.opaque(`${run.name} without -c runs an interactive shell`);
};
define(['su'], suLike(false));
define(['runuser'], suLike(true));

define(['sg'], (run) => {
  const ws = run.words;
  let i = 1;
  if (ws[i]?.literal && ws[i]!.text === '-') i++;
  if (!ws[i]) return;
  i++;
  if (ws[i]?.literal && ws[i]!.text === '-c') i++;
  run.shell();
  if (i >= ws.length) return run.opaque('sg without a command runs an interactive shell');
  const line = joinLiteral(run, ws.slice(i));
  if (line) run.line(line);
});
define(['newgrp'], (run) => {
  run.shell();
  run.opaque('newgrp runs an interactive shell');
});

define(['script'], (run) => {
  const p = parseOptions(run, 1, {
    permute: true,
    arg: 'cEIOBTmoF',
    opt: 't',
    flag: 'aefqhVdkpr',
    long: { append: 'a', command: 'c', echo: 'E', return: 'e', flush: 'f', 'log-io': 'B', 'log-in': 'I', 'log-out': 'O', 'log-timing': 'T', 'logging-format': 'm', 'output-limit': 'o', quiet: 'q', timing: 'opt', ...HELP },
  });
  if (!p) return;
  run.shell();
  const line = p.value('c');
  if (line !== undefined) return run.line(literalWord(line));
  // BSD/macOS: script [file [command …]]
  if (p.operands.length > 1) return run.commandWords(p.operands.slice(1).map((i) => run.words[i]!));
  run.opaque('script without -c runs an interactive shell');
});

define(['flock'], (run) => {
  const p = parseOptions(run, 1, { arg: 'wEc', flag: 'sexnuoFvhV', long: { shared: 's', exclusive: 'x', nonblock: 'n', nb: 'n', unlock: 'u', close: 'o', 'no-fork': 'F', timeout: 'w', wait: 'w', 'conflict-exit-code': 'E', command: 'c', verbose: 'v', ...HELP } });
  if (!p) return;
  const early = p.value('c');
  if (early !== undefined) return run.line(literalWord(early));
  const ws = run.words;
  const i = p.next + 1; // past the lock file or descriptor
  const c = ws[i];
  if (!c) return;
  if (!c.literal) return run.opaque(`flock: ${c.raw} is only known when the command runs`);
  if (c.text === '-c' || c.text === '--command') return ws[i + 1] ? run.line(ws[i + 1]!) : undefined;
  if (c.text.startsWith('--command=')) return run.line(literalWord(c.text.slice('--command='.length)));
  run.command(i);
});

define(['unshare'], (run) => {
  const p = parseOptions(run, 1, {
    opt: 'muinpUCT',
    arg: 'RwSGl',
    flag: 'frchV',
    long: { mount: 'opt', uts: 'opt', ipc: 'opt', net: 'opt', pid: 'opt', user: 'opt', cgroup: 'opt', time: 'opt', fork: 'f', 'kill-child': 'opt', 'mount-proc': 'opt', 'map-root-user': 'r', 'map-current-user': 'c', 'map-user': 'arg', 'map-group': 'arg', 'map-users': 'arg', 'map-groups': 'arg', 'map-auto': 'flag', propagation: 'arg', setgroups: 'arg', 'keep-caps': 'flag', root: 'R', wd: 'w', setuid: 'S', setgid: 'G', monotonic: 'arg', boottime: 'arg', 'load-interp': 'l', 'mount-binfmt': 'opt', ...HELP },
  });
  if (!p) return;
  if (p.next >= run.words.length) {
    run.shell();
    return run.opaque('unshare without a command runs a shell');
  }
  run.command(p.next, { cwd: p.has('w') || p.has('R'), elsewhere: p.has('R') || p.has('m') });
});

define(['nsenter'], (run) => {
  const p = parseOptions(run, 1, {
    arg: 'tSGWN',
    opt: 'mutinpCUTrw',
    flag: 'aeFZchV',
    long: { all: 'a', target: 't', mount: 'opt', uts: 'opt', ipc: 'opt', net: 'opt', 'net-socket': 'N', pid: 'opt', cgroup: 'opt', user: 'opt', time: 'opt', 'user-parent': 'flag', setuid: 'S', setgid: 'G', 'preserve-credentials': 'flag', 'keep-caps': 'flag', root: 'opt', wd: 'opt', wdns: 'W', env: 'e', 'no-fork': 'F', 'follow-context': 'Z', 'join-cgroup': 'c', ...HELP },
  });
  if (!p) return;
  if (p.next >= run.words.length) {
    run.shell();
    return run.opaque('nsenter without a command runs a shell');
  }
  const elsewhere = p.has('a') || p.has('m') || p.has('mount') || p.has('r') || p.has('root');
  run.command(p.next, { cwd: elsewhere || p.has('w') || p.has('wd'), elsewhere });
});

define(['chroot', 'gchroot'], (run) => {
  const p = parseOptions(run, 1, { long: { userspec: 'arg', groups: 'arg', 'skip-chdir': 'flag', ...HELP } });
  if (!p || !run.words[p.next]) return;
  if (!run.words[p.next + 1]) {
    run.shell();
    return run.opaque('chroot without a command runs a shell');
  }
  run.note('chroot: programs are looked up inside the new root, not resolved here');
  run.command(p.next + 1, { cwd: true, elsewhere: true });
});

define(['systemd-run', 'run0'], (run) => {
  const p = parseOptions(run, 1, {
    arg: 'uHMEpCgD',
    flag: 'hrtPqGdSVi',
    long: { unit: 'u', property: 'p', description: 'arg', slice: 'arg', 'slice-inherit': 'flag', 'remain-after-exit': 'r', 'send-sighup': 'flag', 'service-type': 'arg', uid: 'arg', gid: 'arg', user: run.name === 'run0' ? 'u' : 'flag', group: run.name === 'run0' ? 'g' : 'arg', nice: 'arg', 'working-directory': 'arg', chdir: 'D', 'same-dir': 'd', setenv: 'E', pty: 't', pipe: 'P', quiet: 'q', verbose: 'flag', 'on-active': 'arg', 'on-boot': 'arg', 'on-startup': 'arg', 'on-unit-active': 'arg', 'on-unit-inactive': 'arg', 'on-calendar': 'arg', 'on-timezone-change': 'flag', 'on-clock-change': 'flag', 'timer-property': 'arg', 'path-property': 'arg', 'socket-property': 'arg', 'no-block': 'flag', wait: 'flag', collect: 'G', system: 'flag', scope: 'flag', shell: 'S', 'no-ask-password': 'flag', machine: 'M', host: 'H', capsule: 'C', json: 'arg', 'expand-environment': 'arg', 'ignore-failure': 'flag', background: 'arg', 'job-mode': 'arg', 'shell-prompt-prefix': 'arg', lightweight: 'arg', 'via-shell': 'i', ...HELP },
  });
  if (!p) return;
  const elsewhere = p.has('H') || p.has('M');
  if (p.next >= run.words.length) {
    if (p.has('S') || run.name === 'run0') {
      run.shell();
      run.opaque(`${run.name} without a command runs a shell`);
    }
    return;
  }
  if (['on-active', 'on-boot', 'on-startup', 'on-calendar', 'on-unit-active', 'on-unit-inactive'].some((k) => p.has(k))) {
    run.note(`${run.name} schedules the command to run later, outside this job`);
  }
  run.command(p.next, { cwd: p.has('working-directory') || p.has('D'), elsewhere, shell: p.has('i') });
});

const SSH_LOCAL_COMMAND = /^\s*(proxycommand|localcommand|permitlocalcommand|knownhostscommand|match|include)\b/i;
define(['ssh'], (run) => {
  const p = parseOptions(run, 1, { arg: 'BbcDEeFIiJLlmOoPpQRSWw', flag: '46AaCfGgKkMNnqsTtVvXxYy' });
  if (!p) return;
  if (p.has('F')) run.opaque('ssh -F reads a configuration that can run local commands');
  for (const o of p.values('o')) if (SSH_LOCAL_COMMAND.test(o.replace('=', ' '))) run.opaque(`ssh -o ${o} can run a local command`);
  const ws = run.words;
  if (!ws[p.next] || p.has('N') || p.has('W') || p.has('O')) return;
  const host = ws[p.next]!.text;
  const remote = ws.slice(p.next + 1);
  if (!remote.length) return run.opaque(`ssh without a command runs a shell on ${host} that reads its input`);
  const line = joinLiteral(run, remote);
  if (!line) return;
  run.note(`ssh runs "${line.text}" on ${host}, not on this machine; its programs are checked anyway`);
  run.line(line, { remote: true });
});

define(['scp', 'sftp'], (run) => {
  const p = parseOptions(run, 1, run.name === 'scp' ? { arg: 'cDFiJloPSX', flag: '346ABCOpqRrTv' } : { arg: 'BbcDFiJloPRSsX', flag: '46AaCfNpqrv' });
  if (!p) return;
  if (p.has('F')) run.opaque(`${run.name} -F reads a configuration that can run local commands`);
  for (const o of p.values('o')) if (SSH_LOCAL_COMMAND.test(o.replace('=', ' '))) run.opaque(`${run.name} -o ${o} can run a local command`);
  for (const prog of [...p.values('S'), ...p.values('D')]) run.commandWords([literalWord(prog)]);
});

define(['rsync'], (run) => {
  const ws = run.words;
  for (let i = 1; i < ws.length; i++) {
    const w = ws[i]!;
    if (!w.literal) return run.opaque(`rsync: ${w.raw} is only known when the command runs, and could add -e`);
    const t = w.text;
    if (t === '--') break;
    let rsh: string | undefined;
    if (t.startsWith('--rsh=')) rsh = t.slice('--rsh='.length);
    else if (t === '--rsh') rsh = ws[++i]?.text;
    else if (/^-[^-]/.test(t)) {
      for (let j = 1; j < t.length; j++) {
        if (t[j] === 'e') {
          rsh = t.slice(j + 1) || ws[++i]?.text;
          break;
        }
        if ('BfMT@'.includes(t[j]!)) {
          if (j === t.length - 1) i++;
          break;
        }
      }
    }
    if (rsh === undefined) continue;
    const split = splitEnvString(rsh);
    if (typeof split === 'string') return run.opaque(`rsync -e: ${split}`);
    run.commandWords(split);
  }
});

define(['parallel'], (run) => {
  const p = parseOptions(run, 1, {
    arg: 'jPSadEILnNsCX',
    flag: 'kvqur0mtAZ',
    opt: 'ie',
    long: { jobs: 'j', sshlogin: 'S', sshloginfile: 'arg', 'arg-file': 'a', delimiter: 'd', 'max-lines': 'arg', 'max-args': 'n', 'max-chars': 's', colsep: 'C', joblog: 'arg', results: 'arg', tmpdir: 'arg', timeout: 'arg', delay: 'arg', halt: 'arg', retries: 'arg', memfree: 'arg', load: 'arg', tag: 'flag', tagstring: 'arg', 'keep-order': 'k', verbose: 'flag', quote: 'q', null: '0', ungroup: 'u', 'line-buffer': 'flag', group: 'flag', bar: 'flag', progress: 'flag', eta: 'flag', 'dry-run': 'flag', dryrun: 'flag', 'will-cite': 'flag', 'no-notice': 'flag', nice: 'arg', 'no-run-if-empty': 'r', pipe: 'flag', block: 'arg', recstart: 'arg', recend: 'arg', header: 'arg', env: 'arg', shuf: 'flag', plus: 'flag', ...HELP },
  });
  if (!p) return;
  const ws = run.words;
  let end = p.next;
  while (end < ws.length && !/^::::?\+?$/.test(ws[end]!.text)) end++;
  const template = ws.slice(p.next, end);
  if (!template.length) return run.opaque('parallel without a command runs the commands it reads');
  const placeholder = /\{[^}]*\}/;
  if (p.has('q')) return run.commandWords(template, { placeholder });
  const line = joinLiteral(run, template);
  if (line) run.line(line, { placeholder, templateLine: true });
});

define(['dbus-run-session'], (run) => {
  const p = parseOptions(run, 1, { long: { 'config-file': 'arg', 'dbus-daemon': 'arg', ...HELP } });
  if (!p) return;
  for (const d of p.values('dbus-daemon')) run.program(literalWord(d));
  run.command(p.next);
});

define(['fakeroot'], (run) => {
  const p = parseOptions(run, 1, { arg: 'lsib', flag: 'uhv', long: { lib: 'l', faked: 'arg', ...HELP } });
  if (!p) return;
  for (const d of p.values('faked')) run.program(literalWord(d));
  if (p.next >= run.words.length) {
    run.shell();
    return run.opaque('fakeroot without a command runs a shell');
  }
  run.command(p.next);
});

define(['busybox', 'toybox'], (run) => {
  const applet = run.words[1];
  if (!applet) return;
  if (!applet.literal) return run.opaque(`${run.name}: the applet is only known when the command runs`);
  if (applet.text.startsWith('-')) return;
  // the applet is built in: it is not looked up on PATH
  run.command(1, { noResolve: true });
});

define(['coreutils'], (run) => {
  const m = /^--coreutils-prog(?:-shebang)?=(.+)$/.exec(run.words[1]?.literal ? run.words[1].text : '');
  if (m) run.commandWords([literalWord(m[1]!), ...run.words.slice(2)], { noResolve: true });
});

// Shell builtins that run text as code, or that let later words mean something else.
define(['eval'], (run) => {
  const line = joinLiteral(run, run.words.slice(1));
  if (line) run.line(line, { shell: false });
});
define(['source', '.'], (run) => run.opaque(`${run.name} runs the commands in a file`));
define(['enable', 'fc', 'bind', 'complete', 'compgen', 'zmodload', 'sched', 'emulate', 'autoload'], (run) =>
  run.opaque(`${run.name} can run code the command line does not show`),
);
define(['alias'], (run) => {
  if (run.words.slice(1).some((w) => !w.literal || w.text.includes('='))) run.opaque('alias definitions change what a name runs');
});
define(['hash'], (run) => {
  if (run.words.slice(1).some((w) => !w.literal || /^-\w*p/.test(w.text))) run.opaque('hash -p makes a name run another file');
});
define(['trap'], (run) => {
  const p = parseOptions(run, 1, { flag: 'lpP' });
  if (!p) return;
  const ops = run.words.slice(p.next);
  const action = ops[0];
  if (!action || ops.length < 2) return;
  if (action.literal && (action.text === '-' || action.text === '' || /^[0-9]+$/.test(action.text))) return;
  run.line(action, { shell: false });
});
define(['cd', 'pushd', 'popd'], (run) => run.changesDirectory());

// Builtins that take variable names: bash evaluates a subscript in a name (`a[$(cmd)]`),
// and integer or nameref attributes make later plain assignments evaluate values.
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const checkName = (run: Run, w: Word | undefined): void => {
  if (w && !(w.literal && IDENT.test(w.text))) run.opaque(`${run.name} ${w.raw}: a subscript or computed name is evaluated`);
};
define(['declare', 'typeset', 'local', 'export', 'readonly'], (run) => {
  for (const w of run.words.slice(1)) {
    if (w.literal && /^[-+]/.test(w.text)) {
      if (run.name !== 'export' && /[in]/.test(w.text.slice(1))) run.opaque(`${run.name} ${w.text}: integer and nameref variables evaluate what is assigned to them`);
      continue;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(\+?=|$)/.exec(w.literal ? w.text : w.raw);
    if (!m || (!w.literal && !m[2])) run.opaque(`${run.name} ${w.raw}: a subscript or computed name is evaluated`);
    else if (m[2] && isCodeEnv(m[1]!)) run.opaque(`${run.name} sets ${m[1]}, which changes what runs`);
  }
});
define(['unset'], (run) => run.words.slice(1).forEach((w) => (w.literal && /^-[fvn]+$/.test(w.text) ? undefined : checkName(run, w))));
define(['read'], (run) => {
  const p = parseOptions(run, 1, { arg: 'adinNptu', flag: 'ers' });
  if (!p) return;
  p.values('a').forEach((a) => checkName(run, literalWord(a)));
  run.words.slice(p.next).forEach((w) => checkName(run, w));
});
define(['mapfile', 'readarray'], (run) => {
  const p = parseOptions(run, 1, { arg: 'dnOsuCc', flag: 't' });
  if (!p) return;
  if (p.has('C')) run.opaque(`${run.name} -C runs a callback`);
  run.words.slice(p.next).forEach((w) => checkName(run, w));
});
define(['printf'], (run) => {
  const a = run.words[1];
  if (a?.literal && a.text === '-v') checkName(run, run.words[2]);
  else if (a?.literal && a.text.startsWith('-v')) checkName(run, literalWord(a.text.slice(2)));
  else if (a && !a.literal) run.opaque('printf: the first argument is only known when the command runs, and could be -v');
});
define(['getopts'], (run) => checkName(run, run.words[2]));
define(['wait'], (run) => {
  const i = run.words.findIndex((w) => w.literal && /^-\w*p$/.test(w.text));
  if (i > 0) checkName(run, run.words[i + 1]);
});
define(['let'], (run) => {
  if (run.words.slice(1).some((w) => !w.literal || arithmeticIssue(w.text))) run.opaque('let evaluates arithmetic on variables');
});
define(['test', '['], (run) => {
  const ws = run.words;
  ws.forEach((w, i) => {
    if (w.literal && (w.text === '-v' || w.text === '-R') && ws[i + 1] && (!ws[i + 1]!.literal || ws[i + 1]!.text.includes('['))) {
      run.opaque(`${run.name} ${w.text} ${ws[i + 1]!.raw}: the subscript is evaluated`);
    }
  });
});

// --- the default deny list ---------------------------------------------------------------------
// A seat belt for the collaborator preset: programs whose one wrong run is hard to undo, or that
// leave the limits Ferry sets (privilege, persistence, the machine's own plumbing). Asking a
// human is not enough for these; a collaborator who needs one should get a narrower policy.

export const DEFAULT_DENY_REASONS: Readonly<Record<string, string>> = Object.freeze({
  rm: 'deletes files',
  rmdir: 'deletes directories',
  unlink: 'deletes files',
  shred: 'overwrites files beyond recovery',
  dd: 'writes raw blocks, including to disks',
  'mkfs*': 'formats file systems (mkfs, mkfs.ext4, …)',
  mke2fs: 'formats file systems',
  mkswap: 'overwrites a partition with swap',
  'newfs*': 'formats file systems (macOS)',
  wipefs: 'erases file system signatures',
  blkdiscard: 'discards every block of a device',
  fdisk: 'rewrites partition tables',
  sfdisk: 'rewrites partition tables',
  cfdisk: 'rewrites partition tables',
  gdisk: 'rewrites partition tables',
  sgdisk: 'rewrites partition tables',
  parted: 'rewrites partition tables',
  diskutil: 'erases and repartitions disks (macOS)',
  shutdown: 'stops the machine',
  reboot: 'restarts the machine',
  halt: 'stops the machine',
  poweroff: 'stops the machine',
  init: 'changes the run level, which can stop the machine',
  telinit: 'changes the run level, which can stop the machine',
  kexec: 'boots another kernel',
  systemctl: 'stops services, the daemon itself, or the machine',
  launchctl: 'stops services, the daemon itself (macOS)',
  kill: 'ends processes, including the daemon',
  pkill: 'ends processes by name',
  killall: 'ends processes by name',
  killall5: 'ends every process',
  skill: 'ends processes by user or terminal',
  chmod: 'changes permissions (can expose private files or the data dir)',
  chown: 'changes ownership',
  chgrp: 'changes group ownership',
  chattr: 'makes files immutable or undeletable',
  setfacl: 'changes access control lists',
  setcap: 'grants programs capabilities',
  mount: 'changes what paths lead to',
  umount: 'detaches file systems',
  su: 'becomes another user',
  sudo: 'runs as root',
  sudoedit: 'edits files as root',
  doas: 'runs as root',
  pkexec: 'runs as root',
  run0: 'runs as root',
  runuser: 'runs as another user',
  passwd: 'changes passwords',
  chpasswd: 'changes passwords',
  useradd: 'creates accounts',
  adduser: 'creates accounts',
  userdel: 'deletes accounts',
  deluser: 'deletes accounts',
  usermod: 'changes accounts and their groups',
  groupadd: 'creates groups',
  groupdel: 'deletes groups',
  groupmod: 'changes groups',
  gpasswd: 'changes group membership',
  visudo: 'changes who may use sudo',
  crontab: 'schedules commands that outlive the request',
  at: 'schedules commands that outlive the request',
  batch: 'schedules commands that outlive the request',
  'systemd-run': 'starts commands outside the job, where cancel and timeouts do not reach',
  iptables: 'changes the firewall',
  ip6tables: 'changes the firewall',
  'iptables-restore': 'replaces the firewall',
  nft: 'changes the firewall',
  ufw: 'changes the firewall',
  'firewall-cmd': 'changes the firewall',
  modprobe: 'loads kernel modules',
  insmod: 'loads kernel modules',
  rmmod: 'unloads kernel modules',
  sysctl: 'changes kernel parameters',
  efibootmgr: 'changes what the machine boots',
});

/** Program names (and `name*` families) denied by the collaborator preset. */
export const DEFAULT_DENY: readonly string[] = Object.freeze(Object.keys(DEFAULT_DENY_REASONS));

// --- verdicts --------------------------------------------------------------------------------

const ruleName = (rule: string): string => (rule.endsWith('/') ? rule : path.posix.basename(rule));

/** A rule is a program name, or a name ending in `*` for a family (`mkfs*`). Case-sensitive. */
export function matchesRule(rule: string, name: string): boolean {
  const r = ruleName(rule);
  return r.endsWith('*') ? name.startsWith(r.slice(0, -1)) : r === name;
}

const anyRule = (rules: readonly string[], name: string): boolean => rules.some((r) => matchesRule(r, name));

/** Names a program is known by: as written, and its real file's name. */
export function programNames(p: ProgramUse): string[] {
  return p.resolved && p.resolved !== p.name ? [p.name, p.resolved] : [p.name];
}

/** Names of `p` that the allow list lacks; both must be allowed unless the file is multi-call. */
function missingFromAllow(p: ProgramUse, allow: readonly string[]): string[] {
  const names = p.resolved && MULTICALL.has(p.resolved) ? [p.name] : programNames(p);
  return names.filter((n) => !anyRule(allow, n));
}

const unique = (xs: string[]): string[] => [...new Set(xs)];
const describe = (p: ProgramUse): string =>
  `${p.name}${p.resolved && p.resolved !== p.name ? ` (really ${p.resolved})` : ''}${p.via.length ? ` via ${p.via.join(' → ')}` : ''}`;

export function checkCommand(rules: ExecRules, cmd: Command, opts: AnalyzeOptions = {}): Verdict & { analysis: CommandAnalysis } {
  const analysis = analyzeCommand(cmd, opts);
  return { ...judge(rules, analysis), analysis };
}

/** The verdict of `rules` on an analysis (split out so callers can analyse once). */
export function judge(rules: ExecRules, a: CommandAnalysis): Verdict {
  const deny = (reason: DenyReason, message: string, programs: string[] = []): Verdict => ({ decision: 'deny', reason, message, programs });
  if (rules.mode === 'off') return deny('exec-off', 'this peer may not run commands');
  const unchecked = rules.mode === 'full' && rules.deny.length === 0 && rules.shell === 'allow';
  if (a.invalid && !unchecked) return deny('command-invalid', a.invalid);

  const denied = a.programs.filter((p) => programNames(p).some((n) => anyRule(rules.deny, n)));
  if (denied.length) {
    return deny('program-denied', `denied by this peer's deny list: ${denied.map(describe).join(', ')}`, unique(denied.flatMap(programNames)));
  }
  const opaqueMsg = `what this command runs cannot be known in advance: ${a.opaque.join('; ')}`;
  if (rules.mode === 'full' && rules.deny.length && a.opaque.length) return deny('command-opaque', opaqueMsg);

  const missing = rules.mode === 'full' ? [] : a.programs.filter((p) => missingFromAllow(p, rules.allow).length);
  const missingNames = unique(missing.flatMap((p) => missingFromAllow(p, rules.allow)));
  const missingMsg = `not on this peer's allow list: ${missing.map(describe).join(', ')}`;
  if (rules.mode === 'allowlist') {
    if (missing.length) return deny('program-not-allowed', missingMsg, missingNames);
    if (a.opaque.length) return deny('command-opaque', opaqueMsg);
  }
  if (a.shell && rules.shell === 'off') return deny('shell-off', 'this peer may not run shell command lines');

  const reasons: AskReason[] = [];
  const messages: string[] = [];
  if (rules.mode === 'ask' && missing.length) {
    reasons.push('program-not-allowed');
    messages.push(missingMsg);
  }
  if (rules.mode === 'ask' && a.opaque.length) {
    reasons.push('command-opaque');
    messages.push(opaqueMsg);
  }
  if (a.shell && rules.shell === 'ask') {
    reasons.push('shell-ask');
    messages.push('the command runs a shell command line');
  }
  if (reasons.length) return { decision: 'ask', reason: reasons[0]!, reasons, message: messages.join('; '), programs: missingNames };
  return { decision: 'allow' };
}

// --- resolving ---------------------------------------------------------------------------------

/**
 * A Resolve that looks a program up the way execvp does (a name with a slash is a path from
 * `cwd`; otherwise each PATH entry in turn, an empty entry meaning `cwd`) and returns its real
 * path. realpath.native, so a case-insensitive file system reports the name on disk.
 */
export function createResolver(opts: { PATH?: string; cwd?: string } = {}): Resolve {
  const cwd = opts.cwd ?? process.cwd();
  const dirs = (opts.PATH ?? process.env.PATH ?? '/usr/bin:/bin').split(':');
  return (program) => {
    const candidates = program.includes('/') ? [path.resolve(cwd, program)] : dirs.map((d) => path.resolve(cwd, d || '.', program));
    for (const c of candidates) {
      try {
        if (!fs.statSync(c).isFile()) continue;
        fs.accessSync(c, fs.constants.X_OK);
        return fs.realpathSync.native(c);
      } catch {
        continue;
      }
    }
    return null;
  };
}
