// What decides which file actually runs: the lookup execvp does, multi-call binaries that
// dispatch on argv[0], and environment variables that change the lookup or inject code.

import fs from 'node:fs';
import path from 'node:path';
import type { Resolve } from './types.js';

/**
 * Programs that dispatch on the name they were called by (argv[0]): a symlink named `ls`
 * pointing at busybox runs busybox's ls, so the written name is what runs.
 */
export const MULTICALL = new Set(['busybox', 'toybox', 'coreutils']);

const CODE_ENV = new Set([
  // where programs are found, and what the loader injects into every program
  'PATH', 'LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT',
  // files and strings shells run or expand as code
  'BASH_ENV', 'ENV', 'SHELLOPTS', 'BASHOPTS', 'PS0', 'PS1', 'PS2', 'PS3', 'PS4', 'PROMPT_COMMAND',
  'BASH_LOADABLES_PATH', 'FPATH', 'ZDOTDIR',
  // where git, zsh, npm… read configuration that names commands
  'HOME', 'XDG_CONFIG_HOME',
  // interpreters' injection points
  'NODE_OPTIONS', 'NODE_PATH', 'PYTHONPATH', 'PYTHONSTARTUP', 'PYTHONHOME', 'PERL5OPT', 'PERL5LIB', 'PERLLIB',
  'PERL5DB', 'RUBYOPT', 'RUBYLIB', 'MAKEFLAGS', 'MFLAGS', 'TAR_OPTIONS',
  // commands other programs run on our behalf
  'GIT_SSH', 'GIT_SSH_COMMAND', 'GIT_EXEC_PATH', 'GIT_EXTERNAL_DIFF', 'GIT_PAGER', 'GIT_EDITOR',
  'GIT_SEQUENCE_EDITOR', 'GIT_ASKPASS', 'GIT_PROXY_COMMAND', 'GIT_TEMPLATE_DIR', 'GIT_DIR', 'PAGER', 'MANPAGER',
  'EDITOR', 'VISUAL', 'SUDO_EDITOR', 'SUDO_ASKPASS', 'SSH_ASKPASS', 'LESSOPEN', 'LESSCLOSE', 'BROWSER', 'RSYNC_RSH',
]);
const CODE_ENV_PREFIXES = ['LD_', 'DYLD_', 'BASH_FUNC_', 'GIT_CONFIG'];

/**
 * True for environment variables that change which program runs or make a program run
 * code (PATH, LD_PRELOAD, BASH_ENV, BASH_FUNC_x%%, GIT_SSH_COMMAND, …). The exec route should
 * pass the request's env to analyzeCommand so these are caught there too.
 */
export function isCodeEnv(name: string): boolean {
  return CODE_ENV.has(name) || CODE_ENV_PREFIXES.some((p) => name.startsWith(p)) || /^npm_config_/i.test(name);
}

/**
 * A Resolve that looks a program up the way execvp does (a name with a slash is a path from
 * `cwd`; otherwise each PATH entry in turn, an empty entry meaning `cwd`) and returns its real
 * path. realpath.native, so a case-insensitive file system reports the name on disk.
 */
export function createResolver(opts: { PATH?: string; cwd?: string } = {}): Resolve {
  const cwd = opts.cwd ?? process.cwd();
  const dirs = (opts.PATH ?? process.env.PATH ?? '/usr/bin:/bin').split(':');
  return (program) => {
    const candidates = program.includes('/') ? [path.resolve(cwd, program)] : dirs.map((d) => path.resolve(cwd, d || '.', program));
    for (const c of candidates) {
      try {
        if (!fs.statSync(c).isFile()) continue;
        fs.accessSync(c, fs.constants.X_OK);
        return fs.realpathSync.native(c);
      } catch {
        continue;
      }
    }
    return null;
  };
}
