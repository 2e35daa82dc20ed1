#!/usr/bin/env node
/**
 * The `ferry` binary. Kept tiny on purpose: the colour decision must be made before Ink (and its
 * chalk) is first imported, so everything else is loaded afterwards.
 */

// chalk honours FORCE_COLOR and --no-color but not the NO_COLOR convention (https://no-color.org).
if ((process.env.NO_COLOR ?? '') !== '' && process.env.FORCE_COLOR === undefined) process.env.FORCE_COLOR = '0';

// `ferry … | head`: a reader that goes away is not an error worth a stack trace. Exit the way a
// process killed by SIGPIPE would, unless a command (exec) handles it to clean up first.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  if (process.stdout.listenerCount('error') === 1) process.exit(141);
});

const { runCli } = await import('./program.js');
const code = await runCli(process.argv.slice(2));

// Exit explicitly so idle keep-alive sockets cannot hold the process open, but only once stdout
// and stderr have drained: on some platforms pipe writes are asynchronous and would be cut short.
const drained = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write('', () => resolve()));
await Promise.all([drained(process.stdout), drained(process.stderr)]);
process.exit(code);
