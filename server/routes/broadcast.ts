import { Router } from 'express';
import { parseBody } from '../http/validate.js';
import { PeerLinkError, type PeerClient } from '../peers/client.js';
import { ContextBroadcast, type BroadcastResult } from '../protocol/index.js';
import { ApiError } from '../http/errors.js';
import { checkKey } from './context.js';
import type { ContextService } from '../services/context.js';
import type { PeerStore } from '../store/peer-store.js';

const TIMEOUT_MS = 10_000;

/**
 * Set one key on many peers at once, each as the peer's policy allows: a result per peer says
 * ok (with the version), denied, offline or error. Local only: it acts with this machine's pins.
 */
export function broadcastRoutes(deps: { context: ContextService; peers: PeerStore; client: PeerClient }): Router {
  const r = Router();
  r.post('/context/broadcast', async (req, res) => {
    const body = parseBody(ContextBroadcast, req);
    req.audit = { action: 'context.broadcast', target: body.key };
    checkKey(body.key);
    const targets = body.peers
      ? body.peers.map((ref) => {
          const p = deps.peers.find(ref);
          if (!p) throw new ApiError('peer-not-found', `no paired peer "${ref}": see \`ferry peers\``, { peer: ref });
          return p;
        })
      : deps.peers.all();
    const put = { value: body.value, ...(body.ttlSeconds !== undefined ? { ttlSeconds: body.ttlSeconds } : {}) };
    // Here first: a value this machine refuses (too large, store full) fails the whole request
    // before any peer has it, rather than after they all do.
    const self: BroadcastResult[] = [];
    if (body.includeSelf) {
      const { entry } = deps.context.put(body.key, put, req.principal!.id);
      self.push({ peer: '(this machine)', status: 'ok', version: entry.version, error: null });
    }
    const results: BroadcastResult[] = await Promise.all(
      targets.map(async (p): Promise<BroadcastResult> => {
        try {
          const out = await deps.client.json<{ version?: number; error?: { code: string; message: string } }>(p, {
            method: 'PUT',
            path: `/context/${encodeURIComponent(body.key)}`,
            body: put,
            signal: AbortSignal.timeout(TIMEOUT_MS),
          });
          if (out.status < 300) return { peer: p.name, status: 'ok', version: out.body.version ?? null, error: null };
          const error = out.body.error ?? { code: 'peer-error', message: `HTTP ${out.status}` };
          return { peer: p.name, status: out.status === 403 ? 'denied' : 'error', version: null, error };
        } catch (err) {
          // Offline is only "could not reach it"; a peer that answered with the wrong certificate is an error with its code.
          if (err instanceof PeerLinkError && err.code !== 'peer-unreachable') return { peer: p.name, status: 'error', version: null, error: { code: err.code, message: err.message } };
          return { peer: p.name, status: 'offline', version: null, error: { code: 'peer-unreachable', message: (err as Error).message } };
        }
      }),
    );
    res.json({ key: body.key, results: [...self, ...results] });
  });
  return r;
}
