import crypto, { type webcrypto } from 'node:crypto';
import fs from 'node:fs';
import type * as X509Module from '@peculiar/x509';
import type { HomePaths } from './protocol/home.js';
import { ensurePrivateDir, writeFileAtomic } from './util/atomic-file.js';

type X509 = typeof X509Module;
type KeyPair = webcrypto.CryptoKeyPair;
type SelfSignedParams = Parameters<X509['X509CertificateGenerator']['createSelfSigned']>[0];

/**
 * @peculiar/x509 (and the decorator-metadata polyfill it needs first) is only needed to issue a
 * certificate, once in a node's life: load it then, not in every daemon's memory.
 */
async function loadX509(): Promise<X509> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(crypto.webcrypto as unknown as Parameters<X509['cryptoProvider']['set']>[0]);
  return x509;
}

export interface NodeIdentity {
  /** Derived from the public key: stable for the life of the key pair, whatever the name. */
  nodeId: string;
  /** SHA-256 of the certificate's DER, hex with colons: what peers pin. */
  fingerprint: string;
  keyPem: string;
  certPem: string;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(buf: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/**
 * Node id: base32 of SHA-256 over the SubjectPublicKeyInfo, first 35 characters (175 bits) in
 * seven groups of five, e.g. `ABCDE-FGHIJ-…`. Readable aloud; the full fingerprint is what gets pinned.
 */
export function nodeIdFromPublicKey(spkiDer: Buffer): string {
  const b32 = base32(crypto.createHash('sha256').update(spkiDer).digest()).slice(0, 35);
  return b32.match(/.{5}/g)!.join('-');
}

export function certFingerprint(certPem: string): string {
  const der = new crypto.X509Certificate(certPem).raw;
  return crypto.createHash('sha256').update(der).digest('hex').match(/.{2}/g)!.join(':');
}

async function issueCertificate(keys: KeyPair, nodeId: string): Promise<string> {
  const x509 = await loadX509();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: crypto.randomBytes(16).toString('hex').replace(/^[89a-f]/, '1'),
    name: `CN=ferry-${nodeId}`,
    notBefore: new Date(now - 24 * 3600_000),
    notAfter: new Date(now + 20 * 365 * 24 * 3600_000),
    keys: keys as unknown as SelfSignedParams['keys'],
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as SelfSignedParams['signingAlgorithm'],
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
    ],
  });
  return cert.toString('pem');
}

async function importKeyPair(keyPem: string): Promise<KeyPair> {
  const subtle = crypto.webcrypto.subtle;
  const priv = crypto.createPrivateKey(keyPem);
  const pub = crypto.createPublicKey(priv);
  const alg = { name: 'ECDSA', namedCurve: 'P-256' };
  const privateKey = await subtle.importKey('pkcs8', priv.export({ type: 'pkcs8', format: 'der' }), alg, true, ['sign']);
  const publicKey = await subtle.importKey('spki', pub.export({ type: 'spki', format: 'der' }), alg, true, ['verify']);
  return { privateKey, publicKey };
}

/**
 * Load this node's key pair and certificate, making them on first start (ECDSA P-256, Node's own
 * crypto plus @peculiar/x509 — no openssl). The key is written first, 0600; if the certificate is
 * missing (a crash between the two writes) it is issued again from the same key, so the node id
 * never changes.
 */
export async function loadOrCreateIdentity(paths: HomePaths): Promise<NodeIdentity & { created: boolean }> {
  ensurePrivateDir(paths.identityDir);
  let created = false;
  let keyPem: string;
  if (fs.existsSync(paths.key)) {
    keyPem = fs.readFileSync(paths.key, 'utf8');
    if (process.platform !== 'win32') fs.chmodSync(paths.key, 0o600);
  } else {
    const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    writeFileAtomic(paths.key, keyPem, 0o600);
    fs.rmSync(paths.cert, { force: true });
    created = true;
  }
  const spki = crypto.createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  const nodeId = nodeIdFromPublicKey(spki);

  let certPem = fs.existsSync(paths.cert) ? fs.readFileSync(paths.cert, 'utf8') : '';
  if (certPem) {
    const certSpki = new crypto.X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
    if (!certSpki.equals(spki)) certPem = '';
  }
  if (!certPem) {
    certPem = await issueCertificate(await importKeyPair(keyPem), nodeId);
    writeFileAtomic(paths.cert, certPem, 0o644);
  }
  return { nodeId, fingerprint: certFingerprint(certPem), keyPem, certPem, created };
}
