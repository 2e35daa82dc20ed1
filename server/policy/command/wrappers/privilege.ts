// Wrappers that run a command as another user or group: sudo, doas, su, runuser, sg, newgrp.
// Most start a shell when given no command, which the command line cannot show.

import { literalWord } from '../../shell/words.js';
import { defineIn, type Handler, type Run } from '../run.js';
import { HELP, assignmentsAt, joinLiteral, parseOptions } from './options.js';

const table = new Map<string, Handler>();
const define = defineIn(table);
export const PRIVILEGE_WRAPPERS: ReadonlyMap<string, Handler> = table;

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
