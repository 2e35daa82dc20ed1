import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package version, read from the nearest package.json named "ferry" above this file. Walking
 * up works the same from cli/ (tsx) and dist/cli/ (built), where a fixed relative path would not.
 */
export function cliVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'ferry' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) return '0.0.0';
    dir = parent;
  }
}

/** The path of the built entry point, for re-launching ourselves (`ferry start --detach`). */
export function mainScript(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.js');
}
