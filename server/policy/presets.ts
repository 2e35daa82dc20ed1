import type { Policy, PresetName } from '../protocol/index.js';

/**
 * The seat-belt deny list of the `collaborator` preset, kept in step with command-rules'
 * DEFAULT_DENY. The real boundary is the mode (ask: a human approves every other program).
 */
import { DEFAULT_DENY } from './command-rules.js';

/** What each preset lets a peer do here. A preset is copied into the peer's row: later edits are per peer. */
export function presetPolicy(name: PresetName): Policy {
  switch (name) {
    case 'trusted':
      return {
        exec: { mode: 'full', allow: [], deny: [], shell: 'allow' },
        files: { mode: 'roots', read: ['~'], write: ['~'] },
        context: { read: true, write: true },
        messages: true,
        aiTasks: 'full',
        terminal: true,
      };
    case 'collaborator':
      return {
        exec: { mode: 'ask', allow: [], deny: [...DEFAULT_DENY], shell: 'ask' },
        files: { mode: 'ask', read: [], write: [] },
        context: { read: true, write: true },
        messages: true,
        aiTasks: 'ask',
        terminal: false,
      };
    case 'read-only':
      return {
        exec: { mode: 'off', allow: [], deny: [], shell: 'off' },
        files: { mode: 'off', read: [], write: [] },
        context: { read: true, write: false },
        messages: true,
        aiTasks: 'off',
        terminal: false,
      };
  }
}
