import type http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { NodeIdentity } from '../identity.js';
import { PEER_PREFIX } from '../protocol/index.js';
import { peerAgent, PeerIdentityError } from './tls.js';

export interface PeerTarget {
  nodeId: string;
  name: string;
  fingerprint: string;
  addresses: string[];
  port: number;
}

export interface PeerRequest {
  method: string;
  /** Path under /peer/v1, with its query string, e.g. `/context/k?x=1`. */
  path: string;
  body?: unknown;
  /** A raw body streamed as it is (set its content-type in headers); instead of `body`. */
  stream?: NodeJS.ReadableStream;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Why a request to a peer did not get an answer. */
export class PeerLinkError extends Error {
  override name = 'PeerLinkError';
  constructor(
    readonly code: 'peer-unreachable' | 'peer-identity-mismatch',
    message: string,
  ) {
    super(message);
  }
}

export const hostForUrl = (address: string) => (net.isIPv6(address) ? `[${address}]` : address);

/**
 * Requests to paired peers over mutual TLS, one keep-alive agent per pinned fingerprint. Each
 * address of the peer is tried in turn; the first that answers is remembered.
 */
export class PeerClient {
  private readonly agents = new Map<string, https.Agent>();
  private readonly preferred = new Map<string, string>();

  constructor(
    private readonly identity: NodeIdentity,
    private readonly connectTimeoutMs: number,
  ) {}

  private agentFor(fingerprint: string): https.Agent {
    let a = this.agents.get(fingerprint);
    if (!a) {
      a = peerAgent(this.identity, { expected: fingerprint, connectTimeoutMs: this.connectTimeoutMs });
      this.agents.set(fingerprint, a);
    }
    return a;
  }

  /** Forget a peer's connections (after unpairing, or when its certificate changed). */
  drop(fingerprint: string): void {
    this.agents.get(fingerprint)?.destroy();
    this.agents.delete(fingerprint);
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }

  /** Send a request and resolve with the response (status, headers, body stream). */
  async request(peer: PeerTarget, req: PeerRequest): Promise<http.IncomingMessage> {
    const preferred = this.preferred.get(peer.nodeId);
    const addresses = preferred ? [preferred, ...peer.addresses.filter((a) => a !== preferred)] : peer.addresses;
    if (addresses.length === 0) throw new PeerLinkError('peer-unreachable', `no address is known for ${peer.name}`);
    let last: Error | undefined;
    for (const address of addresses) {
      try {
        const res = await this.once(peer, address, req);
        this.preferred.set(peer.nodeId, address);
        return res;
      } catch (err) {
        if (err instanceof PeerIdentityError) {
          throw new PeerLinkError('peer-identity-mismatch', `${peer.name} at ${address}:${peer.port} presented a certificate that is not the one paired (${err.actual ?? 'none'}): refused`);
        }
        if (req.signal?.aborted) throw err;
        last = err as Error;
      }
    }
    throw new PeerLinkError('peer-unreachable', `cannot reach ${peer.name} at ${addresses.map((a) => `${a}:${peer.port}`).join(', ')}: ${last?.message ?? 'no answer'}`);
  }

  private once(peer: PeerTarget, address: string, req: PeerRequest): Promise<http.IncomingMessage> {
    const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    return new Promise((resolve, reject) => {
      const r = https.request(
        {
          host: address,
          port: peer.port,
          method: req.method,
          path: `${PEER_PREFIX}${req.path}`,
          agent: this.agentFor(peer.fingerprint),
          headers: {
            accept: 'application/json',
            ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}),
            ...req.headers,
          },
          signal: req.signal,
        },
        resolve,
      );
      r.once('error', reject);
      if (req.stream) req.stream.pipe(r);
      else r.end(body);
    });
  }

  /** A JSON request: the parsed body and status (errors in the envelope are the caller's to read). */
  async json<T>(peer: PeerTarget, req: PeerRequest): Promise<{ status: number; body: T }> {
    const res = await this.request(peer, req);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    try {
      return { status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : undefined) as T };
    } catch {
      throw new PeerLinkError('peer-unreachable', `${peer.name} answered something that is not JSON (HTTP ${res.statusCode})`);
    }
  }
}
