// Every wrapper the analyser sees through, by program name. Each handler reads a wrapper's own
// options exactly as the real program does and hands the command it runs back to the analyser.
// An option it does not know makes the command opaque: guessing whether an unknown option
// takes a value could shift which word is the program.

import type { Handler } from '../run.js';
import { BUILTIN_WRAPPERS } from './builtins.js';
import { ISOLATION_WRAPPERS } from './isolation.js';
import { LAUNCHER_WRAPPERS } from './launchers.js';
import { PRIVILEGE_WRAPPERS } from './privilege.js';
import { REMOTE_WRAPPERS } from './remote.js';
import { SHELL_WRAPPERS } from './shells.js';

export { SHELL_NAMES } from './shells.js';

// No name is in two groups, so the order of the merge decides nothing.
export const WRAPPERS: ReadonlyMap<string, Handler> = new Map([
  ...SHELL_WRAPPERS,
  ...PRIVILEGE_WRAPPERS,
  ...LAUNCHER_WRAPPERS,
  ...ISOLATION_WRAPPERS,
  ...REMOTE_WRAPPERS,
  ...BUILTIN_WRAPPERS,
]);
