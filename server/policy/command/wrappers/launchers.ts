// Wrappers that run the rest of their arguments as a command after their own options (env,
// nice, timeout, xargs, find -exec, flock, parallel, multi-call binaries…).

import { splitEnvString } from '../../shell/env-string.js';
import { literalWord } from '../../shell/words.js';
import { isCodeEnv } from '../resolve.js';
import { defineIn, type Handler, type Run } from '../run.js';
import { HELP, escapeRe, joinLiteral, parseOptions, type OptSpec, type Parsed } from './options.js';

const table = new Map<string, Handler>();
const define = defineIn(table);
export const LAUNCHER_WRAPPERS: ReadonlyMap<string, Handler> = table;

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
