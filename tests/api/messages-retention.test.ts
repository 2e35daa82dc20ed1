import { afterEach, describe, expect, it } from 'vitest';
import { MessageStore } from '../../server/messages/store.js';
import { makeTestApp, manualClock, type TestApp } from '../helpers/app.js';

let t: TestApp;
afterEach(() => t?.close());

describe('message retention', () => {
  it('deletes handled messages past messages.retentionDays, never unread or still-queued ones', async () => {
    const clock = manualClock();
    t = await makeTestApp({ clock, set: ['messages.retentionDays=7'] });
    const store = new MessageStore(t.db);
    const day = 24 * 3600_000;
    const base = { type: 'chat', body: '"x"', reply_to: null, created_at: clock.now(), expires_at: clock.now() + day };
    store.insertOut({ ...base, id: 'done-out', thread: 'done-out' }, [{ peerId: 'P', peerName: 'p' }], clock.now());
    store.setRecipient({ message_id: 'done-out', peer_id: 'P', status: 'acknowledged', attempts: 1, next_at: 0, reason: null, delivered_at: clock.now() });
    store.insertOut({ ...base, id: 'queued-out', thread: 'queued-out' }, [{ peerId: 'P', peerName: 'p' }], clock.now());
    const inRow = { from_node: 'P', from_name: 'p', type: 'chat', body: '"y"', reply_to: null, created_at: clock.now(), received_at: clock.now(), expires_at: clock.now() + day };
    store.insertIn({ ...inRow, id: 'read-in', thread: 'read-in' });
    store.ackIn('read-in', clock.now());
    store.insertIn({ ...inRow, id: 'unread-in', thread: 'unread-in' });
    clock.advance(6 * day);
    expect(t.ferry.peers.messages.prune()).toBe(0);
    clock.advance(2 * day);
    expect(t.ferry.peers.messages.prune()).toBe(2);
    expect(store.getOut('done-out')).toBeUndefined();
    expect(store.recipientsOf('done-out')).toEqual([]);
    expect(store.getOut('queued-out')).toBeDefined();
    expect(store.getIn('read-in')).toBeUndefined();
    expect(store.getIn('unread-in')).toBeDefined();
  });
});
