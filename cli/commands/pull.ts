import type { Command } from 'commander';
import { action, type CliContext } from '../command.js';
import { localPath, remotePath } from '../lib/file-paths.js';
import { runTransfer, transferFlags, type TransferFlags } from '../lib/run-transfer.js';

export function registerPull(program: Command): void {
  transferFlags(
    program
      .command('pull')
      .description('fetch a file or a directory from a paired machine: streamed, verified (SHA-256), put in place atomically, resumed after a broken link')
      .argument('<peer>', 'the paired machine (name or node id, see `ferry peers`)')
      .argument('<remote>', 'what to fetch there: absolute, or \'~/…\' for its daemon user\'s home')
      .argument('<local>', 'where it goes here (relative to the current directory); an existing directory means "inside it"'),
  )
    .addHelpText('after', EXAMPLES)
    .action(action(pull));
}

const EXAMPLES = [
  '',
  'Examples:',
  '  ferry pull laptop /home/me/notes.md .',
  '  ferry pull laptop \'~/projects/site\' ./backup/site --parents',
  '',
  'Exit code: 0 done; 1 failed (the error code and what to do are printed); 130 canceled (Ctrl-C',
  'cancels the transfer); 2 usage error; 3 no daemon. --json prints the final transfer only.',
].join('\n');

async function pull(ctx: CliContext, opts: TransferFlags, peer: string, remote: string, local: string): Promise<number> {
  const req = { direction: 'pull' as const, peer, source: remotePath(remote, peer), destination: localPath(local) };
  return runTransfer(ctx, req, opts);
}
