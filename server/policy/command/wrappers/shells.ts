// Shell interpreters, and `script`, which starts one. A shell given a command line runs code
// we can read; anything else it runs (a script, its input, an interactive session) we cannot.

import { literalWord } from '../../shell/words.js';
import { defineIn, type Handler } from '../run.js';
import { HELP, parseOptions } from './options.js';

const table = new Map<string, Handler>();
const define = defineIn(table);
export const SHELL_WRAPPERS: ReadonlyMap<string, Handler> = table;

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
