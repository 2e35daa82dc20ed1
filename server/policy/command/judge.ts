// The verdict of a peer's exec policy on an analysed command. Allowlist mode denies opaque
// commands, ask mode asks a human, full mode with a deny list denies them (the seat belt
// cannot be checked).

import path from 'node:path';
import { analyzeCommand, type AnalyzeOptions } from './analyze.js';
import { MULTICALL } from './resolve.js';
import type { AskReason, Command, CommandAnalysis, DenyReason, ExecRules, ProgramUse, Verdict } from './types.js';

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
