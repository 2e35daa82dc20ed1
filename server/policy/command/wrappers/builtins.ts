// Shell builtins that run text as code, change what later names run, or evaluate subscripts
// and arithmetic hidden in variable names.

import { arithmeticIssue } from '../../shell/expansions.js';
import { literalWord, type Word } from '../../shell/words.js';
import { isCodeEnv } from '../resolve.js';
import { defineIn, type Handler, type Run } from '../run.js';
import { joinLiteral, parseOptions } from './options.js';

const table = new Map<string, Handler>();
const define = defineIn(table);
export const BUILTIN_WRAPPERS: ReadonlyMap<string, Handler> = table;

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
