import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { expect } from 'vitest';
import type { PairingSession, PresetName } from '../../server/protocol/index.js';
import type { SpawnedDaemon } from './daemon.js';

export interface Paired {
  sas: string;
  /** What the inviter calls the joiner, and the joiner the inviter. */
  joinerOnInviter: string;
  inviterOnJoiner: string;
  inviterSession: PairingSession;
  joinerSession: PairingSession;
}

/**
 * Pair two daemons through their APIs, as two people would: the inviter opens a window, the joiner
 * joins with the code, both read the same comparison code, and EACH confirms on its own machine.
 */
export async function pair(inviter: SpawnedDaemon, joiner: SpawnedDaemon, grants: { inviter?: PresetName; joiner?: PresetName } = {}): Promise<Paired> {
  const w = await inviter.client.openPairing();
  const joined = await joiner.client.joinPairing({ address: '127.0.0.1', port: inviter.peerPort!, code: w.code });
  expect(joined.state).toBe('awaiting-confirmation');
  const joinerId = (await joiner.client.identity()).nodeId;
  const session = (await inviter.client.pairing()).sessions.find((s) => s.state === 'awaiting-confirmation' && s.peer?.nodeId === joinerId);
  expect(session, 'the inviter shows the pairing request').toBeDefined();
  expect(session!.sas).toBe(joined.sas);
  const joinerDone = joiner.client.confirmPairing(joined.sessionId, grants.joiner ?? 'trusted', 20);
  const inviterSession = await inviter.client.confirmPairing(session!.sessionId, grants.inviter ?? 'trusted', 20);
  const joinerSession = await joinerDone;
  expect(inviterSession.state).toBe('paired');
  expect(joinerSession.state).toBe('paired');
  const inviterId = (await inviter.client.identity()).nodeId;
  const onInviter = (await inviter.client.peers()).items.find((p) => p.nodeId === joinerId)!;
  const onJoiner = (await joiner.client.peers()).items.find((p) => p.nodeId === inviterId)!;
  return { sas: joined.sas!, joinerOnInviter: onInviter.name, inviterOnJoiner: onJoiner.name, inviterSession, joinerSession };
}

/** A node's key and certificate from its data dir: to speak to peer ports as that node would. */
export function identityOf(home: string): { key: string; cert: string } {
  return { key: fs.readFileSync(path.join(home, 'identity', 'key.pem'), 'utf8'), cert: fs.readFileSync(path.join(home, 'identity', 'cert.pem'), 'utf8') };
}

export interface RawResponse {
  status: number;
  body: unknown;
  /** The server closed the connection within a second of answering (the client asked to keep it open). */
  closed: boolean;
}

/** One HTTPS request to a peer port with the given client identity (or none), no pinning. */
export function rawPeerRequest(port: number, req: { method: string; path: string; body?: unknown; identity?: { key: string; cert: string } | null }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const data = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    // Keep-alive, so that a closed connection can only mean the server closed it.
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    const r = https.request(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.path,
        agent,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.3',
        ...(req.identity ? { key: req.identity.key, cert: req.identity.cert } : {}),
        headers: data ? { 'content-type': 'application/json', 'content-length': String(data.length) } : {},
      },
      (res) => {
        // Taken now: once the response ends, a keep-alive agent detaches the socket from it.
        const socket = res.socket;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON
          }
          const done = (closed: boolean) => {
            clearTimeout(timer);
            agent.destroy();
            resolve({ status: res.statusCode ?? 0, body, closed });
          };
          const timer = setTimeout(() => done(false), 1000);
          if (socket.destroyed) done(true);
          else socket.once('close', () => done(true));
        });
      },
    );
    r.once('error', reject);
    r.end(data);
  });
}

/** Open a TLS connection without a client certificate; resolves with whether the server kept it open. */
export function connectWithoutCertificate(port: number): Promise<'closed' | 'open'> {
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: 'TLSv1.3' }, () => {
      s.write('GET /peer/v1/hello HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString()));
    s.on('error', () => undefined);
    s.on('close', () => resolve(got.includes('HTTP/1.1 200') ? 'open' : 'closed'));
    setTimeout(() => {
      s.destroy();
      resolve('open');
    }, 3000).unref();
  });
}
