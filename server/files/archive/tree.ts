// Writes extracted entries below a destination that started empty. Everything under it was made
// here, so what each path is (directory, file, symlink) is known without asking the disk: a path
// through a symlink or a second entry at a used path is refused before any call that could follow
// it. The disk is asked anyway where it is free: O_EXCL|O_NOFOLLOW opens, mkdir and symlink fail
// on anything already there, and openNoFollow checks on Linux where an fd really points.

import fsp from 'node:fs/promises';
import path from 'node:path';
import { isInside, openNoFollow } from '../../policy/path-rules.js';
import { ArchiveError } from './errors.js';
import { closeQuietly, errnoCode, fdChmod, fdClose, fdSync, fdUtimes, fdWriteAll } from './fd.js';

type Node =
  | { kind: 'directory'; mode: number; mtime: number | undefined; implicit: boolean }
  | { kind: 'file' | 'symlink' };

/** Parent directories the archive does not list get this mode. */
const IMPLICIT_DIR_MODE = 0o755;
/** Until the end every directory stays writable and enterable, so a 0o555 one can be filled. */
const WORKING_DIR_MODE = 0o700;

const unsafe = (rel: string, why: string): ArchiveError =>
  new ArchiveError('archive-unsafe-path', `the archive entry ${JSON.stringify(rel)} ${why}`, { path: rel });

export class ExtractTree {
  private readonly nodes = new Map<string, Node>();

  constructor(
    private readonly root: string,
    private readonly fsync: boolean,
  ) {}

  private full(rel: string): string {
    const full = path.join(this.root, ...rel.split('/'));
    // Components were checked already; this is the last word on containment.
    if (!isInside(full, this.root) || full === this.root) throw unsafe(rel, 'resolves outside the destination');
    return full;
  }

  /** Something already at a path being created can only be an earlier entry (or a racer). */
  private createError(rel: string, err: unknown): unknown {
    const code = errnoCode(err);
    return code === 'EEXIST' || code === 'ELOOP' ? unsafe(rel, 'collides with an earlier entry') : err;
  }

  /** Refuses a used path, checks every parent is a directory made here, and makes missing ones. */
  async prepare(parts: string[]): Promise<string> {
    for (let i = 1; i < parts.length; i++) {
      const rel = parts.slice(0, i).join('/');
      const node = this.nodes.get(rel);
      if (node?.kind === 'directory') continue;
      if (node) throw unsafe(parts.join('/'), `goes through ${JSON.stringify(rel)}, which is a ${node.kind}`);
      await this.makeDir(rel, { kind: 'directory', mode: IMPLICIT_DIR_MODE, mtime: undefined, implicit: true });
    }
    const rel = parts.join('/');
    const node = this.nodes.get(rel);
    if (node && !(node.kind === 'directory' && node.implicit)) throw unsafe(rel, 'appears twice in the archive');
    return rel;
  }

  private async makeDir(rel: string, node: Node & { kind: 'directory' }): Promise<void> {
    try {
      await fsp.mkdir(this.full(rel), WORKING_DIR_MODE);
    } catch (err) {
      throw this.createError(rel, err);
    }
    this.nodes.set(rel, node);
  }

  async directory(rel: string, mode: number, mtime: number | undefined): Promise<void> {
    const node = this.nodes.get(rel);
    // Listed after its own contents: it exists as an implicit parent; it takes the listed metadata.
    if (node?.kind === 'directory') this.nodes.set(rel, { kind: 'directory', mode, mtime, implicit: false });
    else await this.makeDir(rel, { kind: 'directory', mode, mtime, implicit: false });
  }

  async symlink(rel: string, target: string, mtime: number | undefined): Promise<void> {
    const full = this.full(rel);
    try {
      await fsp.symlink(target, full);
    } catch (err) {
      throw this.createError(rel, err);
    }
    this.nodes.set(rel, { kind: 'symlink' });
    if (mtime !== undefined) await fsp.lutimes(full, mtime, mtime);
  }

  /** Streams `body` into a new file; each chunk is written before the next is taken. */
  async file(rel: string, mode: number, mtime: number | undefined, body: AsyncIterable<Buffer>): Promise<void> {
    let fd: number;
    try {
      fd = openNoFollow(this.full(rel), 'write-new', 0o600);
    } catch (err) {
      throw this.createError(rel, err);
    }
    this.nodes.set(rel, { kind: 'file' });
    try {
      for await (const chunk of body) await fdWriteAll(fd, chunk);
      await fdChmod(fd, mode);
      if (mtime !== undefined) await fdUtimes(fd, mtime, mtime);
      if (this.fsync) await fdSync(fd);
    } catch (err) {
      closeQuietly(fd);
      throw err;
    }
    await fdClose(fd);
  }

  /** Applies directory modes and mtimes, deepest first, then fsyncs the destination. */
  async finish(): Promise<void> {
    const dirs = [...this.nodes].filter((e): e is [string, Node & { kind: 'directory' }] => e[1].kind === 'directory');
    const depth = (rel: string): number => rel.split('/').length;
    dirs.sort((a, b) => depth(b[0]) - depth(a[0]));
    for (const [rel, node] of dirs) await this.settle(this.full(rel), node.mode, node.mtime);
    if (this.fsync) await this.settle(this.root, undefined, undefined);
  }

  private async settle(dir: string, mode: number | undefined, mtime: number | undefined): Promise<void> {
    if (process.platform === 'win32') {
      // Windows cannot open a directory as a file; its mode is only the read-only bit anyway.
      if (mode !== undefined) await fsp.chmod(dir, mode);
      if (mtime !== undefined) await fsp.utimes(dir, mtime, mtime);
      return;
    }
    const fd = openNoFollow(dir, 'read');
    try {
      // Through the fd: a 0o555 or 0o000 mode set here cannot get in the way of what follows.
      if (mode !== undefined) await fdChmod(fd, mode);
      if (mtime !== undefined) await fdUtimes(fd, mtime, mtime);
      if (this.fsync) await fdSync(fd);
    } catch (err) {
      closeQuietly(fd);
      throw err;
    }
    await fdClose(fd);
  }
}
