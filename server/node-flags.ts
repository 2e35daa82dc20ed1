/**
 * Node flags every launcher of the daemon passes (npm start, `ferry start --detach`, the Docker
 * image, the systemd units, the tests and benchmarks). They must be on the command line: V8 sizes
 * its heap when the process starts, and setting them at run time has no effect.
 *
 * --max-semi-space-size=2: a transfer allocates a 64 KiB Buffer per chunk; Buffers live outside
 * the heap and are freed only when a scavenge finds them dead. With V8's default young generation
 * (up to 16 MiB per semi-space) tens of MB of dead chunks wait for the next scavenge and a 1 GiB
 * transfer takes the daemon to ~170 MB resident; with 2 MiB it stays near 130 MB (see
 * docs/files.md, "Memory"). The daemon's live data is small, so short scavenges cost little.
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

/** The daemon's node flags this process was not started with (on the command line or in NODE_OPTIONS). */
export function missingNodeFlags(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/).filter(Boolean)]);
  return DAEMON_NODE_FLAGS.filter((f) => !given.has(f));
}

/**
 * Node 24.19 and later abort the process when a better-sqlite3 12 statement is garbage collected
 * (a regression in node::ObjectWrap, nodejs/node#65446; docs/deploy.md). True on such a Node.
 */
export function nodeAbortsSqliteStatements(version = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 24 || (major === 24 && minor >= 19);
}
