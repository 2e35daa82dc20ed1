// Wrappers that run a command in another root, namespace or service unit: where its programs
// are looked up is not this machine's PATH, so they are named but not resolved here.

import { defineIn, type Handler } from '../run.js';
import { HELP, parseOptions } from './options.js';

const table = new Map<string, Handler>();
const define = defineIn(table);
export const ISOLATION_WRAPPERS: ReadonlyMap<string, Handler> = table;

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
