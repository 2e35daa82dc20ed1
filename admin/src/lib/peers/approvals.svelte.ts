import type { Approval, FerryEvent } from '$ferry/protocol/index.js';
import { api, describeError } from '../api.js';
import { live } from '../live.svelte.js';

/** Decided and expired approvals kept on the page. */
const RECENT = 25;

const byCreated = (a: Approval, b: Approval) => a.createdAt.localeCompare(b.createdAt);
const byDecidedDesc = (a: Approval, b: Approval) => (b.decidedAt ?? b.createdAt).localeCompare(a.decidedAt ?? a.createdAt);

/**
 * Peers' requests waiting for a person here ("ask" policy), kept live from the `approvals` topic.
 * It lives as long as the signed-in layout, because the nav shows the pending count on every page.
 */
class ApprovalsStore {
  items = $state<Approval[]>([]);
  loaded = $state(false);
  error = $state<string | null>(null);

  /** Oldest first: it expires first. */
  pending = $derived(this.items.filter((a) => a.status === 'pending').sort(byCreated));
  recent = $derived(this.items.filter((a) => a.status !== 'pending').sort(byDecidedDesc).slice(0, RECENT));

  private attached = false;

  attach(): void {
    if (!this.attached) {
      this.attached = true;
      live.on((event) => this.onEvent(event));
      live.onResync(() => void this.refresh());
    }
    void this.refresh();
  }

  reset(): void {
    this.items = [];
    this.loaded = false;
    this.error = null;
  }

  async refresh(): Promise<void> {
    try {
      this.items = (await api.approvals()).items;
      this.error = null;
    } catch (err) {
      this.error = describeError(err);
    } finally {
      this.loaded = true;
    }
  }

  async decide(id: string, decision: 'approve' | 'deny', remember = false): Promise<void> {
    this.upsert(await api.decideApproval(id, decision, remember));
  }

  private onEvent(event: FerryEvent): void {
    if (event.type === 'approval.requested' || event.type === 'approval.decided') this.upsert(event.data.approval);
  }

  private upsert(a: Approval): void {
    const i = this.items.findIndex((x) => x.id === a.id);
    // Decided is final: a late "requested" replay must not make it pending again.
    if (i >= 0 && a.status === 'pending' && this.items[i]?.status !== 'pending') return;
    if (i >= 0) this.items[i] = a;
    else this.items = [a, ...this.items];
  }
}

export const approvals = new ApprovalsStore();
