import type { Command } from 'commander';
import { action, type CliContext } from '../command.js';
import { localPath, remotePath } from '../lib/file-paths.js';
import { runTransfer, transferFlags, type TransferFlags } from '../lib/run-transfer.js';

export function registerSend(program: Command): void {
  transferFlags(
    program
      .command('send')
      .description('send a file or a directory to a paired machine: streamed, verified (SHA-256), put in place atomically, resumed after a broken link')
      .argument('<peer>', 'the paired machine (name or node id, see `ferry peers`)')
      .argument('<local>', 'a file or directory here (relative to the current directory)')
      .argument('<remote>', 'where it goes there: absolute, or \'~/…\' for its daemon user\'s home; an existing directory means "inside it"'),
  )
    .addHelpText('after', EXAMPLES)
    .action(action(send));
}

const EXAMPLES = [
  '',
  'Examples:',
  '  ferry send laptop report.pdf /home/me/Documents/',
  '  ferry send laptop ./photos \'~/incoming\' --parents',
  '  ferry send laptop big.iso /srv/iso/big.iso --force --detach',
  '',
  'Exit code: 0 done; 1 failed (the error code and what to do are printed); 130 canceled (Ctrl-C',
  'cancels the transfer); 2 usage error; 3 no daemon. --json prints the final transfer only.',
].join('\n');

async function send(ctx: CliContext, opts: TransferFlags, peer: string, local: string, remote: string): Promise<number> {
  const req = { direction: 'push' as const, peer, source: localPath(local), destination: remotePath(remote, peer) };
  return runTransfer(ctx, req, opts);
}
