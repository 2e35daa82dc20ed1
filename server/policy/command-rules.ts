// Decides which programs a peer's command would run, seeing through quoting, wrappers and
// nested shells, and gives the verdict of a peer's exec policy on it. Pure: no I/O except
// the injected `resolve` (and createResolver, which the caller may inject).
//
// The rule everywhere: when we cannot be sure what runs, say so ("opaque") rather than guess.
// Allowlist mode denies opaque commands, ask mode asks a human, full mode with a deny list
// denies them (the seat belt cannot be checked).
//
// The pieces live in ./command/: analyze (what runs), wrappers/ (sudo, env, ssh… seen
// through), judge (verdicts), deny-list, resolve (PATH lookup, code-loading environment).

export type { AskReason, Command, CommandAnalysis, DenyReason, ExecRules, ProgramUse, Resolve, Verdict } from './command/types.js';
export { MAX_SHELL_DEPTH, analyzeCommand, type AnalyzeOptions } from './command/analyze.js';
export { SHELL_NAMES } from './command/wrappers/index.js';
export { DEFAULT_DENY, DEFAULT_DENY_REASONS } from './command/deny-list.js';
export { checkCommand, judge, matchesRule, programNames } from './command/judge.js';
export { createResolver, isCodeEnv } from './command/resolve.js';
