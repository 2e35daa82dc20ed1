import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../http/errors.js';

function isExecutableFile(p: string): boolean {
  try {
    if (!fs.statSync(p).isFile()) return false;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The working directory, which must exist and be a directory. */
export function resolveCwd(cwd: string): string {
  let real: string;
  try {
    real = fs.realpathSync(cwd);
  } catch {
    throw new ApiError('cwd-not-found', `working directory "${cwd}" does not exist`, { cwd });
  }
  if (!fs.statSync(real).isDirectory()) throw new ApiError('cwd-not-found', `working directory "${cwd}" is not a directory`, { cwd });
  return real;
}

/**
 * Find the program the way execvp would (a name with a slash is a path, else each PATH entry),
 * so that a missing program is a clear 422 before anything is spawned.
 */
export function resolveProgram(program: string, cwd: string, envPath: string | undefined): string {
  if (program.includes('/')) {
    const p = path.resolve(cwd, program);
    if (isExecutableFile(p)) return p;
    throw new ApiError('command-not-found', `"${program}" is not an executable file (looked at ${p})`, { program });
  }
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(path.resolve(cwd, dir), program);
    if (isExecutableFile(p)) return p;
  }
  throw new ApiError('command-not-found', `no program "${program}" on PATH; check the name, or give its full path`, { program, path: envPath ?? '' });
}
