import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository / install root: the nearest package.json named "ferry" above this file. */
function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      const parsed = JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string };
      if (parsed.name === 'ferry') return dir;
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the Ferry package root (package.json named "ferry")');
    dir = up;
  }
}

export const PACKAGE_ROOT = findRoot();
export const VERSION: string = (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
