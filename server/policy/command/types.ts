// The shapes the command analysis reports and the exec policy it is judged against.

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
