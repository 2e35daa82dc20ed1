import { FerryError } from '../../../server/client/index.js';
import { CliError, EXIT } from '../../errors.js';
import { explainPeerError } from '../../lib/peer.js';
import { onPeer } from '../../views/ai-tasks.js';

/** What an AI task command was about, to phrase its hints. */
export interface AiSituation {
  peer: string | undefined;
  taskId?: string;
}

type Hint = (s: AiSituation, details: Record<string, unknown>) => string;

const HINTS: Record<string, Hint> = {
  'agent-not-installed': ({ peer }, d) => {
    const agent = typeof d.agent === 'string' ? d.agent : '<agent>';
    const where = peer === undefined ? 'this machine' : peer;
    return `install ${agent} on ${where} (its CLI on the PATH of the daemon there), or set aiTasks.commands.${agent} in ${peer === undefined ? 'this daemon\'s' : `${peer}'s`} config.yaml to the program's path; \`ferry status${onPeer(peer)}\` lists the agents found`;
  },
  'ai-task-not-found': ({ peer }) =>
    peer === undefined ? 'list the AI tasks with `ferry ai list`' : `a peer shows only the tasks you dispatched there: \`ferry ai list${onPeer(peer)}\``,
  'ai-task-not-running': ({ peer, taskId }) => `it already ended: see it with \`ferry ai show ${taskId ?? '<id>'}${onPeer(peer)}\``,
  'permission-not-found': ({ peer, taskId }) => `the task's permission requests (and their ids) are in \`ferry ai show ${taskId ?? '<task>'}${onPeer(peer)}\``,
  'permission-already-decided': ({ peer, taskId }) =>
    `it was decided already, or it expired (nobody answered in time, or the task ended): see \`ferry ai show ${taskId ?? '<task>'}${onPeer(peer)}\``,
  'too-many-ai-tasks': ({ peer }) => `the queue is full (aiTasks.maxQueued): wait for tasks to end (\`ferry ai list --status running${onPeer(peer)}\`) and try again`,
  'cwd-not-found': ({ peer }) => (peer === undefined ? 'pass an existing directory with --cwd' : `pass a directory that exists on ${peer}, as an absolute path, with --cwd`),
};

/**
 * A failure of an AI task command, with what to do next. The daemon's code and details stay as
 * they are (scripts match on them); failures of the link to a peer get the peer's own hints.
 */
export function explainAiError(err: unknown, s: AiSituation): unknown {
  if (!(err instanceof FerryError)) return err;
  const hint = HINTS[err.code];
  if (!hint) return s.peer === undefined ? err : explainPeerError(err, s.peer);
  const details = err.details && typeof err.details === 'object' ? (err.details as Record<string, unknown>) : {};
  return new CliError(err.code, err.message, { exit: EXIT.failed, hint: hint(s, details), details: err.details });
}

/** For `.catch()`: rethrow the failure explained. */
export const rethrowExplained =
  (s: AiSituation) =>
  (err: unknown): never => {
    throw explainAiError(err, s);
  };
