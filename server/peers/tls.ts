import crypto from 'node:crypto';
import https from 'node:https';
import type net from 'node:net';
import tls from 'node:tls';
import type { NodeIdentity } from '../identity.js';

/** SHA-256 of a certificate's DER, lower-case hex with colons: the pin. */
export function fingerprintOfDer(der: Buffer): string {
  return crypto.createHash('sha256').update(der).digest('hex').match(/.{2}/g)!.join(':');
}

export function derToPem(der: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** The certificate the other end of a TLS socket presented, or null. */
export function peerCertificate(socket: tls.TLSSocket): { der: Buffer; fingerprint: string } | null {
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.raw || cert.raw.length === 0) return null;
  return { der: cert.raw, fingerprint: fingerprintOfDer(cert.raw) };
}

/**
 * TLS options of the peer listener: TLS 1.3 only, and every client must present a certificate.
 * Certificates are self-signed, so chain verification is off; trust is decided by pinning, per
 * request, in the peer app (a certificate that is not pinned reaches only the pairing handshake).
 */
export function peerServerOptions(identity: NodeIdentity): https.ServerOptions {
  return {
    key: identity.keyPem,
    cert: identity.certPem,
    minVersion: 'TLSv1.3',
    requestCert: true,
    rejectUnauthorized: false,
  };
}

export class PeerIdentityError extends Error {
  override name = 'PeerIdentityError';
  constructor(
    readonly expected: string,
    readonly actual: string | null,
  ) {
    super(`the peer presented certificate ${actual ?? '(none)'}, not the pinned ${expected}`);
  }
}

/**
 * An HTTPS agent whose connections present our certificate and accept the server only if its
 * certificate's fingerprint is `expected` (or, for the pairing handshake, whatever it is, reported
 * to `onFingerprint`). The socket reaches HTTP only after that check, so not one byte of a request
 * goes to the wrong machine.
 */
export function peerAgent(identity: NodeIdentity, opts: { expected?: string; onFingerprint?: (fp: string, der: Buffer) => void; connectTimeoutMs: number }): https.Agent {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 16, timeout: 60_000 });
  (agent as unknown as { createConnection: unknown }).createConnection = (
    options: tls.ConnectionOptions,
    callback: (err: Error | null, socket?: net.Socket) => void,
  ) => {
    const socket = tls.connect({
      ...options,
      key: identity.keyPem,
      cert: identity.certPem,
      minVersion: 'TLSv1.3',
      rejectUnauthorized: false,
      // No SNI/hostname check: the name is not what identifies a peer, the certificate is.
      checkServerIdentity: () => undefined,
    });
    const timer = setTimeout(() => socket.destroy(new Error(`connection timed out after ${opts.connectTimeoutMs} ms`)), opts.connectTimeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      callback(err);
    };
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      const cert = peerCertificate(socket);
      if (opts.expected !== undefined && cert?.fingerprint !== opts.expected) {
        socket.destroy();
        return callback(new PeerIdentityError(opts.expected, cert?.fingerprint ?? null));
      }
      if (cert) opts.onFingerprint?.(cert.fingerprint, cert.der);
      callback(null, socket);
    });
    return undefined;
  };
  return agent;
}
