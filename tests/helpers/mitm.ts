import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type tls from 'node:tls';
import { loadOrCreateIdentity, type NodeIdentity } from '../../server/identity.js';
import * as pc from '../../server/peers/pairing-crypto.js';
import { homePaths } from '../../server/protocol/home.js';
import { tempHome } from './daemon.js';
import { rawPeerRequest } from './peers.js';

/**
 * An active attacker between a joiner (B) and an inviter (A) who even knows the invite code: it
 * terminates TLS on both sides with its own certificate, runs the pairing protocol with each side
 * using keys of its own, and relays everything else. With the code it can make every MAC and
 * sealed message check out — what it cannot do is make the two comparison codes equal.
 */
export async function startRelay(opts: { inviterPort: number; code: string }): Promise<{ port: number; close(): Promise<void>; identity: NodeIdentity }> {
  const me = await loadOrCreateIdentity(homePaths(tempHome('ferry-mitm-')));
  const code = pc.normalizeCode(opts.code)!;
  const asClient = { key: me.keyPem, cert: me.certPem };
  let toA: { session: string; t: Buffer; keys: pc.SessionKeys; ck: Buffer; e: pc.Ephemeral; n: Buffer; pkA: Buffer; nA: Buffer; nodeIdA: string; nameA: string; fpA: string } | undefined;
  let toB: { session: string; commit: Buffer; e: pc.Ephemeral; n: Buffer; nodeIdB: string; nameB: string; fpB: string } | undefined;

  const server = https.createServer({ key: me.keyPem, cert: me.certPem, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.3' }, (req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (text += d));
    req.on('end', () => {
      void (async () => {
        const body = text ? (JSON.parse(text) as Record<string, string>) : {};
        const send = (status: number, value: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(value));
        };
        if (req.url === '/peer/v1/pair/start') {
          // Toward A: its own key, committed before it sees A's.
          const e = pc.ephemeral();
          const n = pc.nonce();
          const started = await rawPeerRequest(opts.inviterPort, {
            method: 'POST',
            path: '/peer/v1/pair/start',
            identity: asClient,
            body: { v: 1, commit: pc.b64(pc.commitment(e.publicRaw, n)), nodeId: me.nodeId, name: body.name },
          });
          const s = started.body as { session: string; pk: string; nonce: string; nodeId: string; name: string };
          toA = { session: s.session, e, n, pkA: pc.fromB64(s.pk), nA: pc.fromB64(s.nonce), nodeIdA: s.nodeId, nameA: s.name, t: Buffer.alloc(0), keys: undefined as never, ck: Buffer.alloc(0), fpA: '' };
          // Toward B: another key of its own (it cannot wait for B's: B committed already).
          const e2 = pc.ephemeral();
          const n2 = pc.nonce();
          toB = { session: 'relay-session-0000000000', commit: pc.fromB64(body.commit!), e: e2, n: n2, nodeIdB: body.nodeId!, nameB: body.name!, fpB: fpFromSocket(req.socket as tls.TLSSocket) };
          return send(201, { session: toB.session, pk: pc.b64(e2.publicRaw), nonce: pc.b64(n2), nodeId: me.nodeId, name: s.name });
        }
        if (req.url === '/peer/v1/pair/reveal' && toA && toB) {
          const pkB = pc.fromB64(body.pk!);
          const nB = pc.fromB64(body.nonce!);
          // B's side: B thinks the relay is A.
          const tB = pc.transcript({ fpA: me.fingerprint, fpB: toB.fpB, nodeIdA: me.nodeId, nodeIdB: toB.nodeIdB, pkA: toB.e.publicRaw, pkB, nA: toB.n, nB });
          const keysB = pc.deriveKeys(toB.e.privateKey, pkB, tB);
          const ckB = await pc.codeKey(code, tB);
          // A's side: A thinks the relay is B.
          const fpA = (await fingerprintOf(opts.inviterPort, asClient)) ?? '';
          const tA = pc.transcript({ fpA, fpB: me.fingerprint, nodeIdA: toA.nodeIdA, nodeIdB: me.nodeId, pkA: toA.pkA, pkB: toA.e.publicRaw, nA: toA.nA, nB: toA.n });
          const keysA = pc.deriveKeys(toA.e.privateKey, toA.pkA, tA);
          const ckA = await pc.codeKey(code, tA);
          const myInfo = { fingerprint: me.fingerprint, nodeId: me.nodeId, name: toB.nameB, peerPort: 1, version: '0.0.0' };
          const revealed = await rawPeerRequest(opts.inviterPort, {
            method: 'POST',
            path: '/peer/v1/pair/reveal',
            identity: asClient,
            body: { session: toA.session, pk: pc.b64(toA.e.publicRaw), nonce: pc.b64(toA.n), mac: pc.b64(pc.codeMac(ckA, tA, 'B')), sealed: pc.seal(keysA.bToA, tA, 'info', myInfo) },
          });
          if (revealed.status !== 200) return send(revealed.status, revealed.body);
          Object.assign(toA, { t: tA, keys: keysA, ck: ckA, fpA });
          return send(200, { mac: pc.b64(pc.codeMac(ckB, tB, 'A')), sealed: pc.seal(keysB.aToB, tB, 'info', { ...myInfo, name: toA.nameA }) });
        }
        send(404, { error: { code: 'route-not-found', message: 'relay' } });
      })().catch((err: unknown) => {
        res.writeHead(500);
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    identity: me,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function fpFromSocket(s: tls.TLSSocket): string {
  return s.getPeerCertificate().fingerprint256.toLowerCase();
}

/** The fingerprint of the certificate a TLS server presents. */
function fingerprintOf(port: number, identity: { key: string; cert: string }): Promise<string | null> {
  return new Promise((resolve) => {
    const r = https.request({ host: '127.0.0.1', port, path: '/peer/v1/hello', rejectUnauthorized: false, ...identity, agent: false }, (res) => {
      resolve((res.socket as tls.TLSSocket).getPeerCertificate().fingerprint256.toLowerCase());
      res.resume();
    });
    r.once('error', () => resolve(null));
    r.end();
  });
}
