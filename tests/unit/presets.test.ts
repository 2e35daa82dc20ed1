import { describe, expect, it } from 'vitest';
import { presetOf } from '../../server/peers/views.js';
import { presetPolicy } from '../../server/policy/presets.js';
import { PRESETS, PolicySchema } from '../../server/protocol/index.js';

describe('policy presets', () => {
  it('each preset is a valid policy, recognised as itself', () => {
    for (const name of PRESETS) {
      expect(PolicySchema.safeParse(presetPolicy(name)).success, name).toBe(true);
      expect(presetOf(presetPolicy(name))).toBe(name);
    }
  });

  it('a preset with one more allowed program is custom (what "approve & remember" makes); list order does not matter', () => {
    const remembered = presetPolicy('collaborator');
    remembered.exec.allow.push('git');
    expect(presetOf(remembered)).toBeNull();
    const reordered = presetPolicy('collaborator');
    reordered.exec.deny.reverse();
    expect(presetOf(reordered)).toBe('collaborator');
  });

  it('read-only runs nothing; collaborator asks and carries the deny list; trusted is full', () => {
    expect(presetPolicy('read-only').exec.mode).toBe('off');
    expect(presetPolicy('read-only').context).toEqual({ read: true, write: false });
    expect(presetPolicy('collaborator').exec).toMatchObject({ mode: 'ask', shell: 'ask' });
    expect(presetPolicy('collaborator').exec.deny).toContain('rm');
    expect(presetPolicy('trusted').exec).toMatchObject({ mode: 'full', shell: 'allow' });
  });
});
