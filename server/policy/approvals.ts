import crypto from 'node:crypto';
import type { EventBus } from '../events/bus.js';
import { ApiError } from '../http/errors.js';
import type { Approval, ApprovalStatus } from '../protocol/index.js';
import type { Clock } from '../services/clock.js';
import type { ApprovalStore } from '../store/approval-store.js';

export interface ApprovalRequest {
  peer: { nodeId: string; name: string };
  scope: string;
  summary: string;
  detail: unknown;
  programs: string[];
}

/**
 * "Ask": a peer's request waits here until a local human approves or denies it, or the time runs
 * out (then it is denied). Approvals are stored, so the admin, the TUI and `ferry approve` all see
 * the same list; the waiting itself is in memory (a restart denies whatever was waiting).
 */
export class ApprovalService {
  private readonly waiting = new Map<string, (status: Exclude<ApprovalStatus, 'pending'>) => void>();

  constructor(
    private readonly store: ApprovalStore,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    /** Called for an approval decided with `remember` (e.g. add its programs to the peer's allow list). */
    private readonly onRemember: (a: Approval) => void,
  ) {
    store.expirePending(clock.now());
  }

  /** Ask a local human; resolves with the outcome. */
  async ask(req: ApprovalRequest, timeoutMs: number, signal?: AbortSignal): Promise<Exclude<ApprovalStatus, 'pending'>> {
    const now = this.clock.now();
    const approval = this.store.insert({
      id: crypto.randomBytes(6).toString('hex'),
      peerId: req.peer.nodeId,
      peerName: req.peer.name,
      scope: req.scope,
      summary: req.summary,
      detail: req.detail,
      programs: req.programs,
      createdAt: now,
      expiresAt: now + timeoutMs,
    });
    const outcome = new Promise<Exclude<ApprovalStatus, 'pending'>>((resolve) => {
      const timer = setTimeout(() => this.finish(approval.id, 'expired', false), timeoutMs);
      const onAbort = () => this.finish(approval.id, 'expired', false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(approval.id, (status) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(status);
      });
    });
    this.bus.publish('approval.requested', { approval });
    return outcome;
  }

  decide(id: string, decision: 'approve' | 'deny', remember: boolean): Approval {
    const a = this.store.get(id);
    if (!a) throw new ApiError('approval-not-found', `no approval "${id}"`);
    if (a.status !== 'pending') throw new ApiError('approval-already-decided', `approval "${id}" is already ${a.status}`);
    const decided = this.finish(id, decision === 'approve' ? 'approved' : 'denied', remember && decision === 'approve');
    if (!decided) throw new ApiError('approval-already-decided', `approval "${id}" was decided a moment ago`);
    return decided;
  }

  private finish(id: string, status: Exclude<ApprovalStatus, 'pending'>, remember: boolean): Approval | undefined {
    if (!this.store.decide(id, status, this.clock.now(), remember)) return undefined;
    const a = this.store.get(id)!;
    if (remember) this.onRemember(a);
    this.bus.publish('approval.decided', { approval: a });
    this.waiting.get(id)?.(status);
    this.waiting.delete(id);
    return a;
  }

  list(status?: ApprovalStatus): Approval[] {
    return this.store.list(status);
  }

  /** On shutdown: everyone waiting is told "expired". */
  stop(): void {
    for (const id of [...this.waiting.keys()]) this.finish(id, 'expired', false);
  }
}
