import path from 'node:path';
import type { Command } from 'commander';
import { FerryError } from '../../server/client/index.js';
import type { DirListing } from '../../server/protocol/index.js';
import { action, type CliContext } from '../command.js';
import { CliError } from '../errors.js';
import { explainFilesError } from '../lib/file-hints.js';
import { localPath, remotePath } from '../lib/file-paths.js';
import { entriesPlain, entriesTable } from '../views/files.js';

export function registerLs(program: Command): void {
  program
    .command('ls')
    .description('list a directory on a paired machine (`ferry ls <peer> <path>`) or on this one (`ferry ls <path>`)')
    .usage('[options] [peer] <path>')
    .argument('<peer|path>', 'with two arguments, the paired machine; with one, a path here')
    .argument('[path]', 'the directory there: absolute, or \'~/…\' for its daemon user\'s home')
    .option('-l, --long', 'also the permissions and the modification time')
    .addHelpText(
      'after',
      [
        '',
        'Entries: name/ for a directory, name@ -> target for a symlink. On a terminal, sizes for',
        'people; piped, tab-separated: size in bytes and name (-l: mode, size, ISO mtime, name).',
        '',
        'Examples:',
        '  ferry ls laptop \'~/Documents\'',
        '  ferry ls -l laptop /srv/share',
        '  ferry ls .                      (this machine, through the daemon)',
      ].join('\n'),
    )
    .action(action(ls));
}

async function ls(ctx: CliContext, opts: { long?: boolean }, first: string, second: string | undefined): Promise<number> {
  // Two words: a peer and its path. One: a path here (resolved against the current directory).
  const peer = second === undefined ? null : first;
  const where = peer === null ? localPath(first) : remotePath(second!, peer);
  const client = ctx.client(peer ?? undefined);
  let listing: DirListing;
  try {
    listing = await client.fileList(where);
  } catch (err) {
    // `ls file` shows the file, as ls does.
    if (!(err instanceof FerryError && err.code === 'not-a-directory')) throw explain(err, peer, first, second);
    const st = await client.fileStat(where).catch((e: unknown) => Promise.reject(explain(e, peer, first, second)));
    const { path: _real, sha256: _h, prefixSha256: _p, ...entry } = st;
    listing = { path: where, entries: [{ ...entry, name: path.posix.basename(where) }], truncated: false };
  }
  if (ctx.json) {
    ctx.out.data(listing);
    return 0;
  }
  const lines = ctx.out.interactive ? entriesTable(listing.entries, opts.long === true, ctx.out.paint) : entriesPlain(listing.entries, opts.long === true);
  for (const line of lines) ctx.out.line(line);
  if (listing.entries.length === 0) ctx.out.note(ctx.out.paintErr('dim', `${listing.path} is empty`));
  if (listing.truncated) ctx.out.note(ctx.out.paintErr('yellow', `only the first ${listing.entries.length} entries are shown`));
  return 0;
}

function explain(err: unknown, peer: string | null, first: string, second: string | undefined): unknown {
  const explained = explainFilesError(err, { peer, direction: 'ls' });
  // `ferry ls laptop` meant the peer, most likely: say how to name a path there.
  if (peer === null && second === undefined && err instanceof FerryError && err.code === 'path-not-found' && !first.includes('/')) {
    return new CliError(err.code, err.message, { hint: `to list a paired machine's directory, name the path too: \`ferry ls ${first} '~'\``, details: err.details });
  }
  return explained;
}
