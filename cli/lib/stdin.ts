import { CliError, usageError } from '../errors.js';

/** All of stdin as UTF-8, refusing more than `maxBytes` (the daemon would refuse it anyway). */
export async function readStdin(maxBytes = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      throw new CliError('stdin-too-large', `stdin is larger than ${maxBytes} bytes`, { hint: 'pass a smaller input' });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * An argument that may be `-`: then what is piped to stdin, less its trailing newline (an artifact
 * of `echo` and heredocs, not part of the text). `what` names the argument; `example` pipes one in.
 */
export async function argOrStdin(arg: string, what: string, example: string): Promise<string> {
  if (arg !== '-') return arg;
  if (process.stdin.isTTY) throw usageError(`the ${what} is "-" but nothing is piped to stdin`, `pipe the ${what} in, e.g. \`${example}\``);
  return (await readStdin()).replace(/\r?\n$/, '');
}
