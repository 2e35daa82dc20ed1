import crypto from 'node:crypto';

/**
 * The pairing exchange's cryptography, kept pure (no I/O) so it can be read, tested, and reused by
 * a test that plays the man in the middle. See docs/peers.md ("Pairing") for the protocol.
 */

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const b64 = (b: Buffer) => b.toString('base64url');
export const fromB64 = (s: string) => Buffer.from(s, 'base64url');

/** 8 Crockford base32 characters (40 bits), shown as XXXX-XXXX. */
export function newInviteCode(): string {
  const bytes = crypto.randomBytes(8);
  const chars = [...bytes].map((b) => CROCKFORD[b & 31]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4)}`;
}

/** What people type, normalised: case, dashes and spaces ignored; O→0, I/L→1 (Crockford). */
export function normalizeCode(input: string): string | null {
  const s = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return /^[0-9A-HJKMNP-TV-Z]{8}$/.test(s) ? s : null;
}

export interface Ephemeral {
  privateKey: crypto.KeyObject;
  /** 32 raw bytes of the X25519 public key. */
  publicRaw: Buffer;
}

const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

export function ephemeral(): Ephemeral {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('x25519');
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return { privateKey, publicRaw: spki.subarray(spki.length - 32) };
}

export const nonce = () => crypto.randomBytes(32);

export function commitment(publicRaw: Buffer, n: Buffer): Buffer {
  return crypto.createHash('sha256').update('ferry-pair-commit-v1').update(publicRaw).update(n).digest();
}

export interface TranscriptParts {
  fpA: string;
  fpB: string;
  nodeIdA: string;
  nodeIdB: string;
  pkA: Buffer;
  pkB: Buffer;
  nA: Buffer;
  nB: Buffer;
}

/** Everything both sides must agree on, hashed: the identities seen in TLS, the keys, the nonces. */
export function transcript(p: TranscriptParts): Buffer {
  const h = crypto.createHash('sha256').update('ferry-pair-v1');
  for (const part of [p.fpA, p.fpB, p.nodeIdA, p.nodeIdB]) {
    const b = Buffer.from(part, 'utf8');
    h.update(Buffer.from([b.length >> 8, b.length & 255])).update(b);
  }
  for (const b of [p.pkA, p.pkB, p.nA, p.nB]) h.update(b);
  return h.digest();
}

export interface SessionKeys {
  /** Seals what A sends to B. */
  aToB: Buffer;
  /** Seals what B sends to A. */
  bToA: Buffer;
  sas: Buffer;
}

export function deriveKeys(own: crypto.KeyObject, otherPublicRaw: Buffer, t: Buffer): SessionKeys {
  if (otherPublicRaw.length !== 32) throw new Error('an X25519 public key is 32 bytes');
  const other = crypto.createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, otherPublicRaw]), format: 'der', type: 'spki' });
  const shared = crypto.diffieHellman({ privateKey: own, publicKey: other });
  // An all-zero shared secret means a small-order point was sent: refuse it.
  if (shared.every((b) => b === 0)) throw new Error('degenerate key exchange');
  const okm = Buffer.from(crypto.hkdfSync('sha256', shared, t, 'ferry-pair-key', 96));
  return { aToB: okm.subarray(0, 32), bToA: okm.subarray(32, 64), sas: okm.subarray(64, 96) };
}

/** The six-digit comparison code both people read. */
export function sas(keys: SessionKeys, t: Buffer): string {
  const mac = crypto.createHmac('sha256', keys.sas).update('ferry-sas').update(t).digest();
  return String(mac.readUInt32BE(0) % 1_000_000).padStart(6, '0');
}

/** The invite code stretched with the transcript as salt: guessing it offline costs scrypt each try. */
export function codeKey(normalizedCode: string, t: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    crypto.scrypt(normalizedCode, t, 32, { N: 1 << 14, r: 8, p: 1 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export function codeMac(key: Buffer, t: Buffer, role: 'A' | 'B'): Buffer {
  return crypto.createHmac('sha256', key).update(t).update(role).digest();
}

export function macEquals(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** AES-256-GCM with the transcript and a label as associated data: base64url(iv ‖ ciphertext ‖ tag). */
export function seal(key: Buffer, t: Buffer, label: string, value: unknown): string {
  const iv = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.concat([t, Buffer.from(label)]));
  const body = Buffer.concat([c.update(JSON.stringify(value), 'utf8'), c.final()]);
  return b64(Buffer.concat([iv, body, c.getAuthTag()]));
}

export function open(key: Buffer, t: Buffer, label: string, sealed: string): unknown {
  const raw = fromB64(sealed);
  if (raw.length < 12 + 16) throw new Error('sealed message too short');
  const d = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  d.setAAD(Buffer.concat([t, Buffer.from(label)]));
  d.setAuthTag(raw.subarray(raw.length - 16));
  const text = Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString('utf8');
  return JSON.parse(text) as unknown;
}

export { b64 };
