import { FerryError } from '../server/client/errors.js';

/** Exit codes scripts can rely on (documented in docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** The daemon answered with an error, or the command failed. */
  failed: 1,
  /** Bad flags or arguments: nothing was attempted. */
  usage: 2,
  /** No daemon to talk to (not running, not initialised, refused). */
  unreachable: 3,
} as const;

/** A failure the CLI itself detects, with a stable kebab-case code like the daemon's. */
export class CliError extends Error {
  readonly exit: number;
  readonly hint: string | undefined;
  readonly details: unknown;

  constructor(
    readonly code: string,
    message: string,
    opts: { exit?: number; hint?: string; details?: unknown } = {},
  ) {
    super(message);
    this.name = 'CliError';
    this.exit = opts.exit ?? EXIT.failed;
    this.hint = opts.hint;
    this.details = opts.details;
  }
}

export function usageError(message: string, hint?: string): CliError {
  return new CliError('usage-error', message, { exit: EXIT.usage, hint: hint ?? 'run `ferry help <command>` for the flags it takes' });
}

/** What every failure becomes before it is printed: one shape for the human and the JSON paths. */
export interface ErrorReport {
  code: string;
  message: string;
  details?: unknown;
  hint?: string;
  exit: number;
}

/** "What to do next" for the codes a user can act on. */
const HINTS: Record<string, string> = {
  'daemon-unreachable': 'start the daemon with `ferry start` (or `ferry start --detach` to run it in the background)',
  'not-initialized': 'create the data dir with `ferry init`, or start a daemon with `ferry start`',
  'token-unreadable': 'run the command as the user who owns the data dir',
  unauthorized: 'the daemon refused the token in admin.token: check --home/FERRY_HOME points at the running daemon\'s data dir',
  'version-conflict': 'read the current version with `ferry context get <key> --json`, then retry with --if-version <version>',
  'key-not-found': 'list the keys with `ferry context list`',
  'job-not-found': 'list recent jobs with `ferry jobs`',
  'job-not-running': 'the job already ended: see it with `ferry jobs show <id>`',
  'command-not-found': 'the daemon looks the program up on its own PATH: check the name, give an absolute path, or use --shell',
  'cwd-not-found': 'pass an existing directory with --cwd',
  'too-many-jobs': 'wait for running jobs to end (`ferry jobs --status running`) and try again',
  'rate-limited': 'too many requests: wait a moment and try again',
  'value-too-large': 'store a smaller value (or a reference to a file) instead',
  'context-full': 'delete keys you no longer need (`ferry context list`, `ferry context delete <key>`)',
  draining: 'the daemon is shutting down: start it again with `ferry start`',
  'internal-error': 'the daemon hit a bug: `ferry logs -n 100` shows what happened',
  'peer-not-found': 'see the paired machines with `ferry peers`; pair with one with `ferry pair <address>`',
  'peer-unreachable': 'the other machine does not answer: is its daemon running, and its peer port open? `ferry peers` shows when it was last seen',
  'peer-identity-mismatch': 'the machine at that address is not the one paired under that name (it was re-installed, or someone else answers): unpair and pair again if you trust it',
  'scope-denied': 'the peer\'s policy does not allow this: ask its owner to change it, or to approve it with `ferry approvals` there',
  'no-pairing-window': 'run `ferry pair` on the other machine first, then type the code it shows',
  'pairing-code-wrong': 'check the code on the other machine\'s screen and run the same `ferry pair` again',
  'pairing-window-closed': 'the other machine\'s pairing window closed (it expired, was used, or took too many wrong codes): run `ferry pair` there again',
  'pairing-session-not-found': 'pairing sessions live 5 minutes: start again with `ferry pair`',
  'pairing-state': 'the pairing already moved on: start again with `ferry pair`',
  'pairing-failed': 'start again with `ferry pair` on the other machine; if it keeps failing, `ferry logs` on both machines says why',
  'peer-already-paired': 'see it with `ferry peers`',
  'approval-not-found': 'see the pending approvals with `ferry approvals`',
  'approval-already-decided': 'it was decided already, or nobody answered in time: see it with `ferry approvals --all`',
};

export function describeError(err: unknown): ErrorReport {
  if (err instanceof CliError) {
    return withOptional({ code: err.code, message: err.message, exit: err.exit }, err.details, err.hint ?? HINTS[err.code]);
  }
  if (err instanceof FerryError) {
    const exit = err.code === 'daemon-unreachable' || err.code === 'not-initialized' ? EXIT.unreachable : EXIT.failed;
    return withOptional({ code: err.code, message: err.message, exit }, err.details, HINTS[err.code]);
  }
  const errno = (err as NodeJS.ErrnoException | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (errno === 'EACCES' || errno === 'EPERM') {
    return { code: 'permission-denied', message, exit: EXIT.failed, hint: 'run the command as the user who owns the data dir' };
  }
  if (errno === 'ENOENT') return { code: 'file-not-found', message, exit: EXIT.failed };
  if (errno === 'EADDRINUSE') {
    return { code: 'port-in-use', message, exit: EXIT.failed, hint: 'another program listens on that port: pick one with --port' };
  }
  // The daemon's start-up errors: DaemonError carries a stable code; these two say it by their class.
  if (err instanceof Error && err.name === 'ConfigError') {
    return { code: 'invalid-config', message, exit: EXIT.failed, hint: 'fix the named key in config.yaml, the FERRY_* variable or the flag' };
  }
  if (err instanceof Error && err.name === 'MigrationError') {
    return { code: 'database-migration-failed', message, exit: EXIT.failed, hint: 'a newer ferry may have written this database: run that version, or use another --home' };
  }
  if (typeof errno === 'string' && /^[a-z]+(-[a-z]+)+$/.test(errno)) {
    return withOptional({ code: errno, message, exit: EXIT.failed }, (err as { details?: unknown }).details, HINTS[errno]);
  }
  return { code: 'internal-error', message, exit: EXIT.failed, hint: 'this is a bug in ferry: set FERRY_DEBUG=1 to see the stack' };
}

function withOptional(report: ErrorReport, details: unknown, hint: string | undefined): ErrorReport {
  if (details !== undefined) report.details = details;
  if (hint !== undefined) report.hint = hint;
  return report;
}
