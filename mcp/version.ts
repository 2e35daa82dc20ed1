import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Ferry's version, from the nearest package.json named "ferry" above this file. Walking up works
 * from both the sources (mcp/) and the build (dist/mcp/); the MCP server may not import server
 * internals, so it does not borrow server/version.ts.
 */
function readVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      const parsed = JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string; version?: string };
      if (parsed.name === 'ferry' && parsed.version) return parsed.version;
    }
    const up = path.dirname(dir);
    if (up === dir) return '0.0.0';
    dir = up;
  }
}

export const VERSION = readVersion();
