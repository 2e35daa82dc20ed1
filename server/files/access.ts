import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Principal } from '../http/context.js';
import { ApiError } from '../http/errors.js';
import { checkPath, type PathVerdict } from '../policy/path-rules.js';
import type { PolicyService } from '../policy/service.js';

/** Who is asking: a request, or the daemon itself acting for the local admin (transfers). */
export type Caller = { principal?: Principal | undefined };

/** The daemon's own transfers run with the local admin's rights. */
export const LOCAL_CALLER: Caller = { principal: { id: 'local', kind: 'local', via: 'token' } };

export const expandHome = (p: string) => (p === '~' ? os.homedir() : p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p);

/**
 * Every file route asks here first: is this caller allowed this path, and what is its real path?
 * The parent is realpath'd and compared with the roots by components; the data dir is refused to
 * everyone; a final component that is a symlink is never followed.
 */
export class FileAccess {
  constructor(private readonly deps: { policy: PolicyService; dataDir: string }) {}

  async resolve(req: Caller, access: 'read' | 'write', requested: string, opts: { mustExist?: boolean; signal?: AbortSignal } = {}): Promise<string> {
    const wanted = expandHome(requested);
    const roots = await this.deps.policy.fileRoots(req, access, wanted, opts.signal);
    return this.verdict(checkPath(wanted, roots, { dataDir: this.deps.dataDir, mustExist: opts.mustExist ?? false }), requested, req);
  }

  /**
   * For a write with `parents`: the deepest existing ancestor must be allowed, then the missing
   * directories are made (0755) and the whole path checked again.
   */
  async resolveCreatingParents(req: Caller, requested: string, signal?: AbortSignal): Promise<string> {
    const wanted = path.resolve(expandHome(requested));
    const roots = await this.deps.policy.fileRoots(req, 'write', wanted, signal);
    const missing: string[] = [];
    let dir = path.dirname(wanted);
    while (!fs.existsSync(dir)) {
      missing.unshift(path.basename(dir));
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
    if (missing.length > 0) {
      const first = this.verdict(checkPath(path.join(dir, missing[0]!), roots, { dataDir: this.deps.dataDir }), requested, req);
      let made = first;
      fs.mkdirSync(made, { mode: 0o755 });
      for (const part of missing.slice(1)) {
        made = path.join(made, part);
        fs.mkdirSync(made, { mode: 0o755 });
      }
    }
    return this.verdict(checkPath(wanted, roots, { dataDir: this.deps.dataDir }), requested, req);
  }

  private verdict(v: PathVerdict, requested: string, req: Caller): string {
    if (v.ok) return v.real;
    switch (v.reason) {
      case 'data-dir':
        throw new ApiError('path-denied', `${requested} is inside the daemon's own data dir: never reachable through Ferry`, { path: requested });
      case 'outside-roots':
        if (req.principal?.kind === 'peer') throw new ApiError('scope-denied', `not allowed for this peer: ${requested} is outside its file roots`, { scope: 'files', reason: v.message });
        throw new ApiError('path-denied', v.message, { path: requested });
      case 'not-found':
        throw new ApiError('path-not-found', `${requested}: ${v.message}`, { path: requested });
      case 'symlink':
        throw new ApiError('path-invalid', `${requested} is a symlink: Ferry never follows a symlink at the end of a path`, { path: requested });
      default:
        throw new ApiError('path-invalid', `${requested}: ${v.message}`, { path: requested });
    }
  }
}
