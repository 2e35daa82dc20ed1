import { PRESETS, type PresetName } from '../../server/protocol/index.js';

export { PRESETS };

/** One line each: what granting the preset lets the other machine do here. */
export const PRESET_SUMMARY: Record<PresetName, string> = {
  trusted: 'my own machine: runs any command, reads and writes files in my home and the context',
  collaborator: 'asks me before running a command (and never rm, dd, mkfs…); reads and writes the context',
  'read-only': 'reads the context; runs nothing, writes nothing',
};

export const DEFAULT_PRESET: PresetName = 'collaborator';

/** "2", "collab", "read-only" → the preset; undefined when it names none. Empty → the default. */
export function parsePreset(answer: string): PresetName | undefined {
  const a = answer.trim().toLowerCase();
  if (a === '') return DEFAULT_PRESET;
  const byNumber = /^\d+$/.test(a) ? PRESETS[Number(a) - 1] : undefined;
  return byNumber ?? PRESETS.find((p) => p === a || (a.length >= 3 && p.startsWith(a)));
}
