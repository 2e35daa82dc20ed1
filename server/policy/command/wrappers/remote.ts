// ssh and its relatives: the remote command runs elsewhere (still checked by name), and
// options such as ProxyCommand or rsync -e run local programs.

import { splitEnvString } from '../../shell/env-string.js';
import { literalWord } from '../../shell/words.js';
import { defineIn, type Handler } from '../run.js';
import { joinLiteral, parseOptions } from './options.js';

const table = new Map<string, Handler>();
const define = defineIn(table);
export const REMOTE_WRAPPERS: ReadonlyMap<string, Handler> = table;

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
