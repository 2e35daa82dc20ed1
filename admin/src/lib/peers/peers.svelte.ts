import type { AddManualPeer, FerryEvent, JoinRequest, PairingSession, PairingState, PairingWindow, PatchPeer, PeerView, PresetName } from '$ferry/protocol/index.js';
import { api, describeError, errorCode } from '../api.js';
import { live } from '../live.svelte.js';

/** How often a pairing on screen is re-read while a decision is pending (events may come first). */
const POLL_MS = 2000;

// A session only moves forward; HTTP answers and socket events race, so never step back.
const RANK: Record<PairingState, number> = { started: 0, 'awaiting-confirmation': 1, 'waiting-for-peer': 2, paired: 3, rejected: 3, failed: 3, expired: 3 };

export const isFinal = (s: PairingSession) => RANK[s.state] === 3;
const needsPerson = (s: PairingSession) => s.state === 'awaiting-confirmation' || s.state === 'waiting-for-peer';

/**
 * Paired peers, machines found on the network, this machine's invite window and the pairings in
 * progress, kept live from the `peers` topic. Commands go over REST; events only update state.
 */
class PeersStore {
  items = $state<PeerView[]>([]);
  loaded = $state(false);
  error = $state<string | null>(null);
  window = $state<PairingWindow | null>(null);
  sessions = $state<Record<string, PairingSession>>({});
  /** The pairing in the comparison-code dialog. */
  focusId = $state<string | null>(null);

  paired = $derived(this.items.filter((p) => p.paired));
  found = $derived(this.items.filter((p) => !p.paired));
  focused = $derived(this.focusId ? this.sessions[this.focusId] : undefined);

  private attached = false;
  /** Pairings whose dialog the person closed: a refresh must not open them again. */
  private readonly dismissed = new Set<string>();
  private pollTimer: ReturnType<typeof setTimeout> | undefined;

  attach(): void {
    if (this.attached) return;
    this.attached = true;
    live.on((event) => this.onEvent(event));
    live.onResync(() => void this.refresh());
  }

  reset(): void {
    clearTimeout(this.pollTimer);
    this.items = [];
    this.loaded = false;
    this.error = null;
    this.window = null;
    this.sessions = {};
    this.focusId = null;
    this.dismissed.clear();
  }

  async refresh(): Promise<void> {
    try {
      const [list, overview] = await Promise.all([api.peers(), api.pairing()]);
      this.items = list.items;
      this.window = overview.window;
      for (const s of overview.sessions) this.upsertSession(s);
      this.error = null;
    } catch (err) {
      this.error = describeError(err);
    } finally {
      this.loaded = true;
    }
  }

  // ── pairing ──────────────────────────────────────────────────────────────
  async invite(): Promise<void> {
    this.window = await api.openPairing();
  }

  async closeInvite(): Promise<void> {
    await api.closePairing();
    this.window = null;
  }

  async join(req: JoinRequest): Promise<void> {
    const session = await api.joinPairing(req);
    this.upsertSession(session);
    this.focusId = session.sessionId;
  }

  /** This side's person says the codes match. The other side decides on its own screen. */
  async confirm(id: string, policy: PresetName): Promise<void> {
    this.upsertSession(await api.confirmPairing(id, policy, 0));
    this.poll();
  }

  async reject(id: string): Promise<void> {
    this.upsertSession(await api.rejectPairing(id));
  }

  /** Close the dialog of a finished pairing; show the next one that waits for a person, if any. */
  dismiss(id: string): void {
    this.dismissed.add(id);
    if (this.focusId === id) this.focusId = Object.values(this.sessions).find((s) => needsPerson(s) && !this.dismissed.has(s.sessionId))?.sessionId ?? null;
    this.poll();
  }

  // ── peers ────────────────────────────────────────────────────────────────
  async add(req: AddManualPeer): Promise<PeerView> {
    const view = await api.addPeer(req);
    await this.refresh();
    return view;
  }

  async update(peer: PeerView, change: PatchPeer): Promise<void> {
    this.upsertPeer(await api.updatePeer(peer.nodeId ?? peer.name, change));
  }

  /** Unpair (or forget an address). Resolves with whether the other machine was told. */
  async remove(ref: string): Promise<boolean | null> {
    const result = await api.removePeer(ref);
    await this.refresh();
    return result.notified;
  }

  private onEvent(event: FerryEvent): void {
    switch (event.type) {
      case 'pairing.requested':
      case 'pairing.failed':
        this.upsertSession(event.data.session);
        // A wrong code costs the window a try, and the last one closes it.
        if (event.data.session.role === 'inviter') void this.refreshWindow();
        break;
      case 'pairing.completed':
        this.upsertSession(event.data.session);
        this.upsertPeer(event.data.peer);
        if (event.data.session.role === 'inviter') this.window = null;
        break;
      case 'peer.online':
      case 'peer.offline':
        for (const p of this.items) if (p.paired && p.nodeId === event.data.nodeId) p.online = event.type === 'peer.online';
        break;
      case 'peer.updated':
        this.upsertPeer(event.data.peer);
        break;
      case 'peer.removed':
        this.items = this.items.filter((p) => !(p.paired && p.nodeId === event.data.nodeId));
        void this.refresh();
        break;
      case 'peer.discovered':
        void this.refresh();
        break;
    }
  }

  private async refreshWindow(): Promise<void> {
    try {
      this.window = (await api.pairing()).window;
    } catch {
      // The next refresh will tell; the countdown still ends the window on screen.
    }
  }

  private upsertSession(s: PairingSession): void {
    const old = this.sessions[s.sessionId];
    if (old && RANK[s.state] < RANK[old.state]) return;
    this.sessions[s.sessionId] = s;
    if (this.focusId === null && needsPerson(s) && !this.dismissed.has(s.sessionId)) this.focusId = s.sessionId;
    if (this.focusId === s.sessionId) this.poll();
  }

  private upsertPeer(view: PeerView): void {
    const i = this.items.findIndex((p) => p.paired === view.paired && p.nodeId === view.nodeId);
    if (i >= 0) this.items[i] = view;
    else this.items = [view, ...this.items.filter((p) => p.paired || p.nodeId !== view.nodeId)];
  }

  /** Re-read the pairing on screen until it is final: decisions on the other side raise no event here. */
  private poll(): void {
    clearTimeout(this.pollTimer);
    const s = this.focused;
    if (!s || isFinal(s)) return;
    const id = s.sessionId;
    this.pollTimer = setTimeout(async () => {
      try {
        this.upsertSession(await api.pairingSession(id));
      } catch (err) {
        if (errorCode(err) === 'pairing-session-not-found') {
          const current = this.sessions[id];
          if (current) this.upsertSession({ ...current, state: 'expired', reason: 'the daemon no longer knows this pairing (it may have restarted)' });
        }
      }
      this.poll();
    }, POLL_MS);
  }
}

export const peers = new PeersStore();
