// A relative import (not $ferry) keeps this module loadable by the root test runner.
import type { Policy, PresetName } from '../../../../server/protocol/index.js';

/**
 * The policy presets as the admin shows them: names and what each means. Which preset a peer's
 * policy is comes from the daemon (`preset` on each peer); tests/browser/peers.test.ts fails if
 * these names drift from the daemon's.
 */
export const PRESET_NAMES: readonly PresetName[] = ['trusted', 'collaborator', 'read-only'];

export const PRESET_HELP: Record<PresetName, string> = {
  trusted: 'Your own machine: runs any command, reads and writes files in your home folder, no questions asked.',
  collaborator: 'Someone else’s machine: every command or file access waits for you to approve it here; dangerous programs are refused.',
  'read-only': 'Can read shared context and send messages, nothing else: no commands, no files.',
};

/** One line on what a custom policy lets the peer run, for the peer list. */
export function execSummary(policy: Policy): string {
  const { mode, allow } = policy.exec;
  const list = allow.join(', ');
  if (mode === 'off') return 'may not run commands';
  if (mode === 'full') return 'runs any command';
  if (mode === 'ask') return allow.length > 0 ? `asks before each command, except ${list}` : 'asks before each command';
  return allow.length > 0 ? `runs only ${list}` : 'may not run commands (empty allow list)';
}
