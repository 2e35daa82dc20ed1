import os from 'node:os';
import type { Express, RequestHandler, Router } from 'express';
import type { Config } from '../config.js';
import type { EventBus } from '../events/bus.js';
import type { NodeIdentity } from '../identity.js';
import type { Logger } from '../log.js';
import { ApprovalService } from '../policy/approvals.js';
import { PolicyService } from '../policy/service.js';
import { PEER_PREFIX } from '../protocol/index.js';
import type { AuditService } from '../services/audit.js';
import type { Clock } from '../services/clock.js';
import { ApprovalStore } from '../store/approval-store.js';
import type { DB } from '../store/db.js';
import { PeerStore } from '../store/peer-store.js';
import { VERSION } from '../version.js';
import { Discovery, HealthMonitor } from '../discovery/index.js';
import { MessageService } from '../messages/service.js';
import { MessageStore } from '../messages/store.js';
import { PeerClient } from './client.js';
import { forwardRoutes } from './forward.js';
import { createPeerListener, type PeerListener } from './peer-app.js';
import { peerOnlyRoutes } from './peer-routes.js';
import { PairingService } from './pairing.js';
import { PeerService } from './service.js';
import { PeerViews, type DiscoveredPeer } from './views.js';

export interface PeersDeps {
  config: Config;
  db: DB;
  identity: NodeIdentity;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  audit: AuditService;
  drainGate: RequestHandler;
  isDraining: () => boolean;
  /** The routers every principal shares (context, exec, jobs, status…), mounted on the peer listener too. */
  capabilityRouters: (policy: PolicyService) => Router[];
}

export interface Peers {
  policy: PolicyService;
  approvals: ApprovalService;
  pairing: PairingService;
  service: PeerService;
  messages: MessageService;
  client: PeerClient;
  store: PeerStore;
  /** The mutual-TLS listener (not listening yet), or null when `peer.enabled` is false. */
  listener: PeerListener | null;
  /** Local-API routes: forwarding to peers. */
  forward: Router;
  /**
   * Start the network side once the peer listener is bound: mDNS (unless discovery is off) and the
   * health checks of paired peers. Separate from construction so tests and `createApp` stay quiet.
   */
  startNetwork(peerPort: number): Promise<void>;
  /** Goodbye packets and no more checks (bounded). */
  stopNetwork(): Promise<void>;
  stop(): void;
}

/** Everything between daemons, assembled from one set of dependencies. */
export function createPeers(deps: PeersDeps): Peers {
  const { config, identity, bus, clock, log } = deps;
  const store = new PeerStore(deps.db);
  const online = new Map<string, boolean>();
  const views = new PeerViews((id) => online.get(id) ?? null);
  const client = new PeerClient(identity, config.peer.connectTimeoutMs);
  let peerPort = config.peer.port;
  let discovered: () => DiscoveredPeer[] = () => [];
  let listener: PeerListener | null = null;
  let health: HealthMonitor | undefined;
  let discovery: Discovery | undefined;
  let manualTimer: NodeJS.Timeout | undefined;
  let stopSync: (() => void) | undefined;

  // ApprovalService and PolicyService need each other ("remember" edits the policy): the callback
  // runs only once a human decides, long after both exist.
  const approvals = new ApprovalService(new ApprovalStore(deps.db), bus, clock, (a) => policy.remember(a.peer.nodeId, a.programs));
  const policy = new PolicyService({ peers: store, approvals, askTimeoutMs: config.peer.askTimeoutMs, homeDir: os.homedir() });

  const service = new PeerService({
    peers: store,
    views,
    client,
    identity,
    bus,
    clock,
    log: log.child({ part: 'peers' }),
    connectTimeoutMs: config.peer.connectTimeoutMs,
    discovered: () => discovered(),
    dropConnections: (fp) => listener?.dropConnections(fp),
  });
  const pairing = new PairingService({
    identity,
    name: () => config.name,
    version: VERSION,
    peerPort: () => peerPort,
    peers: store,
    views,
    bus,
    clock,
    log: log.child({ part: 'pairing' }),
    connectTimeoutMs: config.peer.connectTimeoutMs,
    onPaired: (nodeId) => {
      const p = store.byId(nodeId);
      if (p) client.drop(p.fingerprint);
      online.set(nodeId, true);
    },
  });

  const messages = new MessageService({ store: new MessageStore(deps.db), peers: store, client, bus, clock, log: log.child({ part: 'messages' }), config: config.messages });

  if (config.peer.enabled) {
    listener = createPeerListener({
      identity,
      peers: store,
      audit: deps.audit,
      log: log.child({ part: 'peer-listener' }),
      jsonLimitBytes: config.http.jsonLimitBytes,
      drainGate: deps.drainGate,
      onSeen: (peer, address) => service.seen(peer, address),
      mount: (app: Express) => {
        app.use(
          PEER_PREFIX,
          peerOnlyRoutes({
            messages,
            policy,
            pairing,
            peers: service,
            hello: () => ({ nodeId: identity.nodeId, name: config.name, version: VERSION }),
            isDraining: deps.isDraining,
            rateLimits: config.rateLimits,
          }),
        );
        for (const r of deps.capabilityRouters(policy)) app.use(PEER_PREFIX, r);
      },
    });
  }

  return {
    policy,
    approvals,
    pairing,
    service,
    messages,
    client,
    store,
    listener,
    forward: forwardRoutes({ peers: service, client, onFailure: (id) => online.set(id, false) }),
    async startNetwork(port) {
      peerPort = port;
      messages.start();
      health = new HealthMonitor({
        targets: () => store.all().map((p) => ({ nodeId: p.nodeId, name: p.name })),
        check: (nodeId) => service.check(nodeId, Math.min(config.peer.connectTimeoutMs * 2, 10_000)),
        onChange: (nodeId, isOnline) => {
          online.set(nodeId, isOnline);
          // Whatever waited for this peer goes now, not at its next retry.
          if (isOnline) messages.wake(nodeId);
          const name = store.byId(nodeId)?.name ?? nodeId;
          bus.publish(isOnline ? 'peer.online' : 'peer.offline', { nodeId, name });
        },
        intervalMs: config.peer.healthIntervalMs,
        maxIntervalMs: config.peer.healthMaxIntervalMs,
        log: log.child({ part: 'health' }),
      });
      health.start();
      // Pairing and unpairing change who is watched: tell the monitor at once, not at its next sync.
      stopSync = bus.subscribe((e) => {
        if (e.type === 'pairing.completed' || e.type === 'peer.removed') health?.sync();
      });
      manualTimer = setInterval(() => void service.probeManual(), config.peer.healthIntervalMs);
      manualTimer.unref();
      if (!config.discovery.enabled) return;
      const found = new Discovery({
        nodeId: identity.nodeId,
        name: config.name,
        version: VERSION,
        peerPort: port,
        log,
        onChange: (change) => {
          if (change.type !== 'up') return;
          const p = change.peer;
          const paired = store.byId(p.nodeId);
          if (paired) {
            // A paired peer heard at (maybe new) addresses: keep them, and check it now.
            store.seen(p.nodeId, clock.now(), [...new Set([...p.addresses, ...paired.addresses])].slice(0, 8));
            void health?.checkNow(p.nodeId);
          } else bus.publish('peer.discovered', { nodeId: p.nodeId, name: p.name, addresses: p.addresses, port: p.port });
        },
      });
      discovery = found;
      discovered = () => found.list();
      await found.start();
    },
    async stopNetwork() {
      messages.stop();
      stopSync?.();
      health?.stop();
      if (manualTimer) clearInterval(manualTimer);
      await discovery?.stop();
    },
    stop() {
      pairing.stop();
      approvals.stop();
      client.close();
    },
  };
}
