import type { Logger } from '../log.js';
import { Advertiser } from './advertise.js';
import { PeerBrowser } from './browse.js';
import type { DiscoveredPeer, DiscoveryChange } from './table.js';

export type { DiscoveredPeer, DiscoveryChange } from './table.js';
export { HealthMonitor, type HealthMonitorDeps, type HealthState, type HealthTarget } from './health.js';
export { FERRY_SERVICE_TYPE } from './names.js';

export interface DiscoveryDeps {
  nodeId: string;
  /** The daemon's display name, advertised as the mDNS instance name. */
  name: string;
  version: string;
  /** The peer listener's port: what other daemons connect to. */
  peerPort: number;
  log: Logger;
  onChange?: (change: DiscoveryChange) => void;
  /** Restrict advertising and browsing to these interfaces (names or addresses); loopback is always kept. */
  interfaces?: string[];
  /** Re-query period (default 60 s). */
  queryIntervalMs?: number;
  /** Drop a peer not heard from for this long (default 150 s: the SRV record's 120 s TTL and some slack). */
  staleAfterMs?: number;
}

/**
 * LAN discovery: advertise this daemon as `_ferry._tcp` (ciao) and browse for the others
 * (bonjour-service). Both share UDP 5353 with any other mDNS software through SO_REUSEADDR.
 * Nothing here throws on network trouble: it is logged and retried.
 */
export class Discovery {
  private readonly advertiser: Advertiser;
  private readonly browser: PeerBrowser;
  private state: 'idle' | 'running' | 'stopped' = 'idle';

  /** Throws (RangeError) only on arguments that can never work; never on network trouble. */
  constructor(deps: DiscoveryDeps) {
    if (!Number.isInteger(deps.peerPort) || deps.peerPort < 1 || deps.peerPort > 65535) {
      throw new RangeError(`discovery: peerPort must be the listening port, 1-65535 (got ${deps.peerPort})`);
    }
    const log = deps.log.child({ component: 'discovery' });
    this.advertiser = new Advertiser({ nodeId: deps.nodeId, name: deps.name, version: deps.version, port: deps.peerPort, log, interfaces: deps.interfaces });
    this.browser = new PeerBrowser({
      selfId: deps.nodeId,
      log,
      onChange: deps.onChange ?? (() => undefined),
      interfaces: deps.interfaces,
      queryIntervalMs: deps.queryIntervalMs,
      staleAfterMs: deps.staleAfterMs,
    });
  }

  /** Start advertising (in the background: probing takes about a second) and browsing (bound when this resolves). */
  async start(): Promise<void> {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.advertiser.start();
    await this.browser.start();
  }

  /** Goodbye packets, then close the sockets; bounded (about 3 s at worst), never throws. */
  async stop(): Promise<void> {
    if (this.state !== 'running') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopped';
    await Promise.all([this.advertiser.stop(3_000), this.browser.stop(2_000)]);
  }

  /** The Ferry daemons heard on the LAN, this one excluded. */
  list(): DiscoveredPeer[] {
    return this.browser.list();
  }

  /** Ask the LAN again now. */
  refresh(): void {
    if (this.state === 'running') this.browser.query();
  }

  /** The name this daemon is advertised under (ciao appends " (2)" when another machine holds it). */
  get advertisedName(): string {
    return this.advertiser.advertisedName;
  }

  /** Resolves once this daemon has been announced on the network (may never, with no network). */
  get announced(): Promise<void> {
    return this.advertiser.announced;
  }
}
