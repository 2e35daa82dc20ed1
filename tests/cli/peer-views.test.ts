import type os from 'node:os';
import { createElement } from 'react';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { FerryError } from '../../server/client/index.js';
import { presetPolicy } from '../../server/policy/presets.js';
import type { Approval, PeerView } from '../../server/protocol/index.js';
import { describeError } from '../../cli/errors.js';
import { dialAddresses, parseAddress } from '../../cli/lib/address.js';
import { explainPeerError } from '../../cli/lib/peer.js';
import { parsePreset } from '../../cli/lib/presets.js';
import { painter } from '../../cli/style.js';
import { approvalLines } from '../../cli/views/approvals.js';
import { InviteView } from '../../cli/views/InviteView.js';
import { formatSas, invitePlain } from '../../cli/views/pairing.js';
import { peersPlain, policyLabel } from '../../cli/views/peers.js';
import { peerStatusPlain } from '../../cli/views/StatusView.js';

const plain = painter(false);

describe('addresses', () => {
  it('reads address[:port] in every spelling, with 7718 as the default port', () => {
    expect(parseAddress('192.168.1.20')).toEqual({ address: '192.168.1.20', port: 7718 });
    expect(parseAddress('laptop.lan:9000')).toEqual({ address: 'laptop.lan', port: 9000 });
    expect(parseAddress('[fe80::1]:7719')).toEqual({ address: 'fe80::1', port: 7719 });
    expect(parseAddress('::1')).toEqual({ address: '::1', port: 7718 });
    expect(parseAddress('10.0.0.5', '7720')).toEqual({ address: '10.0.0.5', port: 7720 });
  });

  it('tells the other machine the address the peer listener is bound to, or this machine\'s LAN addresses', () => {
    const nics = {
      lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
      eth0: [{ address: '192.168.1.20', family: 'IPv4', internal: false }, { address: 'fe80::1', family: 'IPv6', internal: false }],
    } as unknown as ReturnType<typeof os.networkInterfaces>;
    expect(dialAddresses({ host: '0.0.0.0', port: 7718 }, nics)).toEqual(['192.168.1.20:7718']);
    expect(dialAddresses({ host: '10.0.0.5', port: 7720 }, nics)).toEqual(['10.0.0.5:7720']);
    expect(dialAddresses({ host: '0.0.0.0', port: 7718 }, { lo: nics.lo! })).toEqual(['127.0.0.1:7718']);
  });

  it('refuses a port that is not one, and an empty address, as usage errors', () => {
    for (const bad of ['10.0.0.5:0', '10.0.0.5:70000', '10.0.0.5:ssh', ':7718']) {
      expect(() => parseAddress(bad), bad).toThrow(expect.objectContaining({ code: 'usage-error', exit: 2 }));
    }
  });
});

describe('policy presets', () => {
  it('names a stored policy by its preset, notes programs added with "remember", else says custom', () => {
    expect(policyLabel(presetPolicy('trusted'))).toBe('trusted');
    expect(policyLabel(presetPolicy('read-only'))).toBe('read-only');
    const collab = presetPolicy('collaborator');
    // Key order in stored JSON does not matter.
    const { terminal, ...rest } = collab;
    expect(policyLabel(JSON.parse(JSON.stringify({ terminal, ...rest })))).toBe('collaborator');
    expect(policyLabel({ ...collab, exec: { ...collab.exec, allow: ['git', 'make'] } })).toBe('collaborator +git,make');
    expect(policyLabel({ ...collab, terminal: true })).toBe('custom');
    expect(policyLabel(null)).toBe('-');
  });

  it('takes a policy answer as a number, a name or a prefix; Enter is collaborator', () => {
    expect(parsePreset('')).toBe('collaborator');
    expect(parsePreset('1')).toBe('trusted');
    expect(parsePreset('3')).toBe('read-only');
    expect(parsePreset('Read')).toBe('read-only');
    expect(parsePreset('collaborator')).toBe('collaborator');
    expect(parsePreset('4')).toBeUndefined();
    expect(parsePreset('admin')).toBeUndefined();
  });
});

describe('pairing views', () => {
  const window = { windowId: 'w1', code: '7K3M-Q9TX', expiresAt: new Date(Date.now() + 5 * 60_000).toISOString(), attemptsLeft: 5 };

  it('shows the comparison code in two groups of three', () => {
    expect(formatSas('123456')).toBe('123 456');
    expect(formatSas(null)).toBe('-');
  });

  it('draws the invite code spaced out in a box, with the command to run on the other machine', () => {
    const frame = render(createElement(InviteView, { info: { window, dial: ['192.168.1.20:7718'] } })).lastFrame() ?? '';
    expect(frame).toContain('╭');
    expect(frame).toContain('7 K 3 M - Q 9 T X');
    expect(frame).toContain('ferry pair 192.168.1.20:7718');
    expect(frame).toContain('5 tries');
    expect(invitePlain({ window, dial: [] })).toContain('  ferry pair <this machine\'s address>:<peer port>');
  });
});

describe('peer and approval lines', () => {
  it('lists peers for pipes: tab-separated, ISO times, the node id last', () => {
    const peer: PeerView = {
      nodeId: 'NODE-1', name: 'laptop', paired: true, source: 'paired', fingerprint: 'ab', addresses: ['10.0.0.5', 'fe80::1'], port: 7718,
      online: false, lastSeen: '2026-11-21T10:00:00.000Z', pairedAt: null, policy: presetPolicy('read-only'), preset: 'read-only', version: null,
    };
    expect(peersPlain([peer])).toEqual(['laptop\tpaired\toffline\t10.0.0.5:7718,[fe80::1]:7718\tread-only\t2026-11-21T10:00:00.000Z\tNODE-1']);
    expect(peersPlain([{ ...peer, paired: false, source: 'mdns', online: true, policy: null, preset: null, nodeId: null }])[0]).toMatch(/^laptop\tmdns\tonline\t.*\t-\t.*\t-$/);
  });

  it('prints a watched request with the commands that answer it', () => {
    const a: Approval = {
      id: 'ab12', peer: { nodeId: 'N', name: 'bravo' }, scope: 'exec', summary: 'exec: git pull', detail: null, programs: ['git'],
      status: 'pending', createdAt: '2026-11-21T10:00:00.000Z', expiresAt: '2026-11-21T10:01:00.000Z', decidedAt: null, remember: false,
    };
    const [head, how] = approvalLines('approval.requested', a, plain);
    expect(head).toContain('bravo asks: exec: git pull  [ab12]');
    expect(how).toContain('ferry approve ab12 (add --remember to allow git from now on) · deny: ferry deny ab12');
    expect(approvalLines('approval.decided', { ...a, status: 'denied' }, plain)[0]).toMatch(/ab12 denied$/);
  });

  it('shows a peer\'s status without the fields a peer does not share', () => {
    const lines = peerStatusPlain({ nodeId: 'N', name: 'alpha', version: '0.1.0', startedAt: '2026-11-21T10:00:00.000Z', uptimeSeconds: 65, draining: false, jobs: { running: 1, maxConcurrent: 8 }, aiTasks: { running: 0, queued: 0, maxConcurrent: 3, agents: { claude: true, gemini: false, codex: true } } });
    expect(lines).toEqual(['alpha: running', '  node id    N', '  version    0.1.0', '  uptime     1m 5s', '  jobs       1 running (max 8)', '  ai tasks   0 running, 0 queued (max 3); agents: claude, codex']);
  });

  it('explains a peer\'s refusal in terms of that peer, keeping its code and details', () => {
    const report = describeError(explainPeerError(new FerryError(403, 'scope-denied', 'not allowed for this peer: x', { scope: 'exec' }), 'alpha'));
    expect(report).toMatchObject({ code: 'scope-denied', exit: 1, details: { scope: 'exec' } });
    expect(report.hint).toContain('`ferry approvals` on alpha');
    const other = new FerryError(429, 'too-many-jobs', 'busy');
    expect(explainPeerError(other, 'alpha')).toBe(other);
  });
});
