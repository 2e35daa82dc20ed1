import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { tempHome } from '../helpers/daemon.js';

let t: TestApp;
afterEach(() => t?.close());

const sha = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');
const dir = () => fs.realpathSync(tempHome('ferry-files-'));
const noStrays = (d: string) => expect(fs.readdirSync(d).filter((n) => n.startsWith('.ferry-'))).toEqual([]);

async function upload(target: string, data: Buffer, opts: { force?: boolean; parents?: boolean; sha256?: string } = {}) {
  const created = await request(t.app).post('/api/v1/files/uploads').set(t.auth).send({ path: target, kind: 'file', size: data.length, ...opts, sha256: undefined });
  if (created.status !== 201) return created;
  const put = await request(t.app).put(`/api/v1/files/uploads/${created.body.id}`).set(t.auth).set('content-type', 'application/octet-stream').set('x-ferry-offset', '0').send(data);
  expect(put.status).toBe(200);
  return request(t.app).post(`/api/v1/files/uploads/${created.body.id}/commit`).set(t.auth).send({ size: data.length, sha256: opts.sha256 ?? sha(data) });
}

describe('files capability (local)', () => {
  it('uploads atomically: nothing at the target until a commit with the right hash', async () => {
    t = await makeTestApp();
    const d = dir();
    const target = path.join(d, 'report ünï.txt');
    const data = Buffer.from('hello files');
    const created = await request(t.app).post('/api/v1/files/uploads').set(t.auth).send({ path: target, kind: 'file', size: data.length, mode: 0o640 });
    expect(created.status).toBe(201);
    await request(t.app).put(`/api/v1/files/uploads/${created.body.id}`).set(t.auth).set('content-type', 'application/octet-stream').set('x-ferry-offset', '0').send(data).expect(200);
    expect(fs.existsSync(target)).toBe(false);
    const done = await request(t.app).post(`/api/v1/files/uploads/${created.body.id}/commit`).set(t.auth).send({ size: data.length, sha256: sha(data) });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ path: target, size: data.length, sha256: sha(data) });
    expect(fs.readFileSync(target, 'utf8')).toBe('hello files');
    expect(fs.statSync(target).mode & 0o777).toBe(0o640);
    noStrays(d);
  });

  it('a wrong hash keeps nothing and says so', async () => {
    t = await makeTestApp();
    const d = dir();
    const res = await upload(path.join(d, 'x'), Buffer.from('abc'), { sha256: sha('abd') });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'hash-mismatch', details: { expected: sha('abd'), actual: sha('abc') } });
    expect(fs.existsSync(path.join(d, 'x'))).toBe(false);
    noStrays(d);
  });

  it('resumes from the offset on disk, with the hash of the prefix', async () => {
    t = await makeTestApp();
    const d = dir();
    const data = crypto.randomBytes(300_000);
    const created = await request(t.app).post('/api/v1/files/uploads').set(t.auth).send({ path: path.join(d, 'big'), kind: 'file', size: data.length });
    const id = created.body.id as string;
    const put = (offset: number, body: Buffer) => request(t.app).put(`/api/v1/files/uploads/${id}`).set(t.auth).set('content-type', 'application/octet-stream').set('x-ferry-offset', String(offset)).send(body);
    await put(0, data.subarray(0, 100_000)).expect(200);
    const state = await request(t.app).get(`/api/v1/files/uploads/${id}`).set(t.auth);
    expect(state.body).toMatchObject({ offset: 100_000, prefixSha256: sha(data.subarray(0, 100_000)), state: 'open' });
    const wrongOffset = await put(0, data);
    expect(wrongOffset.status).toBe(409);
    expect(wrongOffset.body.error).toMatchObject({ code: 'offset-mismatch', details: { offset: 100_000 } });
    await put(100_000, data.subarray(100_000)).expect(200);
    const done = await request(t.app).post(`/api/v1/files/uploads/${id}/commit`).set(t.auth).send({ size: data.length, sha256: sha(data) });
    expect(done.status).toBe(200);
    expect(sha(fs.readFileSync(path.join(d, 'big')))).toBe(sha(data));
  });

  it('refuses to overwrite without force, and replaces with it', async () => {
    t = await makeTestApp();
    const d = dir();
    fs.writeFileSync(path.join(d, 'f'), 'old');
    const refused = await upload(path.join(d, 'f'), Buffer.from('new'));
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('destination-exists');
    expect((await upload(path.join(d, 'f'), Buffer.from('new'), { force: true })).status).toBe(200);
    expect(fs.readFileSync(path.join(d, 'f'), 'utf8')).toBe('new');
    fs.mkdirSync(path.join(d, 'adir'));
    expect((await upload(path.join(d, 'adir'), Buffer.from('x'), { force: true })).body.error.code).toBe('destination-exists');
  });

  it('creates missing parents only when asked', async () => {
    t = await makeTestApp();
    const d = dir();
    const deep = path.join(d, 'a', 'b', 'c.txt');
    expect((await upload(deep, Buffer.from('x'))).body.error.code).toBe('path-not-found');
    expect((await upload(deep, Buffer.from('x'), { parents: true })).status).toBe(200);
    expect(fs.readFileSync(deep, 'utf8')).toBe('x');
  });

  it('never reaches the data dir, and never follows a symlink at the end of a path', async () => {
    t = await makeTestApp();
    const inData = await upload(path.join(t.home, 'admin.token'), Buffer.from('pwned'), { force: true });
    expect(inData.status).toBe(403);
    expect(inData.body.error.code).toBe('path-denied');
    expect((await request(t.app).get('/api/v1/files/content').query({ path: path.join(t.home, 'admin.token') }).set(t.auth)).status).toBe(403);
    const d = dir();
    fs.symlinkSync('/etc/hostname', path.join(d, 'link'));
    const viaLink = await request(t.app).get('/api/v1/files/content').query({ path: path.join(d, 'link') }).set(t.auth);
    expect(viaLink.status).toBe(400);
    expect(viaLink.body.error.code).toBe('path-invalid');
    expect((await request(t.app).get('/api/v1/files/stat').query({ path: 'relative/path' }).set(t.auth)).body.error.code).toBe('validation-failed');
  });

  it('reads a file with its size, a Range to resume, and the whole-file hash as a trailer', async () => {
    t = await makeTestApp();
    const base = await t.listen();
    const d = dir();
    const data = crypto.randomBytes(50_000);
    fs.writeFileSync(path.join(d, 'r'), data);
    const res = await fetch(`${base}/api/v1/files/content?path=${encodeURIComponent(path.join(d, 'r'))}`, { headers: { ...t.auth, range: 'bytes=20000-' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('x-ferry-size')).toBe('50000');
    expect(Buffer.from(await res.arrayBuffer()).equals(data.subarray(20_000))).toBe(true);
    const st = await request(t.app).get('/api/v1/files/stat').query({ path: path.join(d, 'r'), hash: '1', prefix: '20000' }).set(t.auth);
    expect(st.body).toMatchObject({ type: 'file', size: 50_000, sha256: sha(data), prefixSha256: sha(data.subarray(0, 20_000)) });
    const list = await request(t.app).get('/api/v1/files/list').query({ path: d }).set(t.auth);
    expect(list.body.entries.map((e: { name: string }) => e.name)).toEqual(['r']);
  });

  it('multipart: one file part after the fields; no part, two parts or no path are errors', async () => {
    t = await makeTestApp();
    const d = dir();
    const ok = await request(t.app).post('/api/v1/files').set(t.auth).field('path', path.join(d, 'm.txt')).attach('file', Buffer.from('multi'), 'm.txt');
    expect(ok.status).toBe(201);
    expect(fs.readFileSync(path.join(d, 'm.txt'), 'utf8')).toBe('multi');
    const none = await request(t.app).post('/api/v1/files').set(t.auth).field('path', path.join(d, 'n.txt'));
    expect(none.status).toBe(400);
    expect(none.body.error.message).toContain('no file part');
    const two = await request(t.app).post('/api/v1/files').set(t.auth).field('path', path.join(d, 'two.txt')).attach('a', Buffer.from('1'), 'a').attach('b', Buffer.from('2'), 'b');
    expect(two.status).toBe(400);
    expect(two.body.error.message).toContain('exactly one file part');
    const noPath = await request(t.app).post('/api/v1/files').set(t.auth).attach('file', Buffer.from('x'), 'x');
    expect(noPath.status).toBe(400);
    expect(noPath.body.error.message).toContain('path');
    const wrongSha = await request(t.app).post('/api/v1/files').set(t.auth).field('path', path.join(d, 'w.txt')).field('sha256', sha('other')).attach('file', Buffer.from('x'), 'x');
    expect(wrongSha.body.error.code).toBe('hash-mismatch');
    noStrays(d);
  });

  it('413 past files.maxBytes, announced or not', async () => {
    t = await makeTestApp({ set: ['files.maxBytes=1000'] });
    const d = dir();
    const announced = await request(t.app).post('/api/v1/files/uploads').set(t.auth).send({ path: path.join(d, 'big'), kind: 'file', size: 5000 });
    expect(announced.status).toBe(413);
    expect(announced.body.error.code).toBe('file-too-large');
    const created = await request(t.app).post('/api/v1/files/uploads').set(t.auth).send({ path: path.join(d, 'big2'), kind: 'file' });
    const over = await request(t.app).put(`/api/v1/files/uploads/${created.body.id}`).set(t.auth).set('content-type', 'application/octet-stream').set('x-ferry-offset', '0').send(Buffer.alloc(5000));
    expect(over.status).toBe(413);
    noStrays(d);
  });

  it('only raw bytes on the upload route, only JSON elsewhere', async () => {
    t = await makeTestApp();
    const res = await request(t.app).post('/api/v1/files/uploads').set(t.auth).set('content-type', 'application/octet-stream').send(Buffer.from('x'));
    expect(res.status).toBe(415);
  });
});
