import { FerryError } from '../../server/client/index.js';
import { CliError, EXIT } from '../errors.js';

/** What to do next when a request forwarded to a peer failed, in terms of that peer. */
const PEER_HINTS: Record<string, (peer: string) => string> = {
  'scope-denied': (peer) =>
    `${peer}'s policy does not allow this: ask its owner to change it (\`ferry peers policy <this machine> <preset>\` there) or to approve the request (\`ferry approvals\` on ${peer})`,
  'peer-not-found': (peer) => `"${peer}" is not a paired machine: \`ferry peers\` lists them; pair with \`ferry pair <address>\``,
  'peer-unreachable': (peer) => `${peer} does not answer: is its daemon running and its peer port reachable? \`ferry peers\` shows when it was last seen`,
  'peer-not-paired': (peer) => `${peer} no longer knows this machine (it unpaired it): pair again with \`ferry pair\``,
  'key-not-found': (peer) => `list the keys there with \`ferry context list --peer ${peer}\``,
  'job-not-found': (peer) => `a peer shows only the jobs you started there: \`ferry jobs --peer ${peer}\``,
  'command-not-found': (peer) => `${peer} looks the program up on its own PATH: check the name, or use --shell`,
};

/**
 * A failure of a request sent to a peer, with a hint that names the peer. The daemon's code and
 * details stay as they are: scripts match on them.
 */
export function explainPeerError(err: unknown, peer: string): unknown {
  if (!(err instanceof FerryError)) return err;
  const hint = PEER_HINTS[err.code]?.(peer);
  if (!hint) return err;
  return new CliError(err.code, err.message, { exit: EXIT.failed, hint, details: err.details });
}
