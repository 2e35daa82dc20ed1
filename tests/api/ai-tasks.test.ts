import path from 'node:path';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeAgentBin } from '../helpers/agents.js';
import { makeTestApp, manualClock, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/proc.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('AI task retention', () => {
  it('deletes ended tasks past aiTasks.retentionDays with their events, and keeps the rest', async () => {
    const clock = manualClock(Date.now());
    const bin = fakeAgentBin();
    t = await makeTestApp({ clock, set: [`aiTasks.commands.claude=${path.join(bin, 'claude')}`, 'aiTasks.retentionDays=30', 'aiTasks.maxConcurrent=1'] });
    const create = async (prompt: string) => (await request(t!.app).post('/api/v1/ai-tasks').set(t!.auth).send({ prompt }).expect(202)).body as { id: string };
    const status = async (id: string) => (await request(t!.app).get(`/api/v1/ai-tasks/${id}`).set(t!.auth)).body as { status: string };
    const old = await create('say old');
    await waitFor(async () => (await status(old.id)).status === 'succeeded', 15_000, 'the first task');
    clock.advance(31 * 86_400_000);
    const running = await create('sleep 60000');
    const queued = await create('say waiting');
    expect(t.ferry.services.aiTasks.prune()).toBe(1);
    await request(t.app).get(`/api/v1/ai-tasks/${old.id}`).set(t.auth).expect(404);
    await request(t.app).get(`/api/v1/ai-tasks/${old.id}/events`).set(t.auth).expect(404);
    const left = t.db.prepare('SELECT count(*) AS n FROM ai_task_events WHERE task_id = ?').get(old.id) as { n: number };
    expect(left.n).toBe(0);
    expect((await status(running.id)).status).toBe('running');
    expect((await status(queued.id)).status).toBe('queued');
    // Nothing else is old enough.
    expect(t.ferry.services.aiTasks.prune()).toBe(0);
    await request(t.app).post(`/api/v1/ai-tasks/${running.id}/cancel`).set(t.auth).expect(202);
    await request(t.app).post(`/api/v1/ai-tasks/${queued.id}/cancel`).set(t.auth).expect(202);
  });
});
