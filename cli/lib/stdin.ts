import { CliError } from '../errors.js';

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
