import type { RemoteInfo } from 'node:dgram';
import { Bonjour, type Browser, type Service } from 'bonjour-service';
import type { Logger } from '../log.js';
import { FERRY_SERVICE_SUFFIX, FERRY_SERVICE_TYPE, nameFromFqdn, withTimeout } from './names.js';
import { browseInterfaces, orderAddresses } from './net.js';
import { PeerTable, type DiscoveryChange, type Observation } from './table.js';

export interface PeerBrowserOptions {
  selfId: string;
  log: Logger;
  onChange: (change: DiscoveryChange) => void;
  /** Interface names or addresses to browse on (loopback is always added); all of them when absent. */
  interfaces?: string[];
  /** How often to ask the LAN again who is there (answers refresh `lastSeen`). */
  queryIntervalMs?: number;
  /** A peer not heard from for this long is dropped, as if it had said goodbye. */
  staleAfterMs?: number;
}

interface DnsRecord {
  name: string;
  type: string;
  ttl?: number;
  data: unknown;
}
interface DnsPacket {
  answers?: DnsRecord[];
  additionals?: DnsRecord[];
}
/** The multicast-dns instance inside a Bonjour object (not in bonjour-service's types). */
interface Mdns {
  on(event: 'response', fn: (packet: DnsPacket, rinfo: RemoteInfo) => void): void;
  on(event: 'error' | 'warning', fn: (err: Error) => void): void;
  once(event: 'ready', fn: () => void): void;
}

/** One multicast-dns socket per interface: a socket sends its queries out of one interface only. */
interface Listener {
  name: string;
  address: string;
  bonjour: Bonjour;
  browser: Browser;
  ready: Promise<void>;
  broken: boolean;
}

/** After the query at start: again at 1 s and 3 s (RFC 6762 §5.2: intervals from one second, doubling), then the steady rhythm. */
const EARLY_QUERIES_MS = [1_000, 3_000];
const TICK_MS = 5_000;

/**
 * Browses `_ferry._tcp` with bonjour-service. bonjour-service's Browser parses answers and sees
 * goodbyes, but never refreshes what it has seen nor asks again, so this keeps its own table
 * (node id → peer, with lastSeen), re-queries on a timer, and drops peers that stopped answering.
 */
export class PeerBrowser {
  private readonly listeners = new Map<string, Listener>();
  /** Problems already reported at warn level: retried every tick, they are not repeated there. */
  private readonly reported = new Set<string>();
  private readonly table: PeerTable;
  private readonly queryIntervalMs: number;
  /** Housekeeping period: interfaces, stale peers. Short enough that a stale peer goes within half its bound. */
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private nextQueryAt = 0;
  private running = false;

  constructor(private readonly opts: PeerBrowserOptions) {
    this.queryIntervalMs = opts.queryIntervalMs ?? 60_000;
    const staleAfterMs = opts.staleAfterMs ?? 150_000;
    // One lost answer must not drop a live peer: it gets at least two queries to answer.
    if (!(this.queryIntervalMs > 0) || !(staleAfterMs >= 2 * this.queryIntervalMs)) {
      throw new RangeError(`discovery: staleAfterMs (${staleAfterMs}) must be at least twice queryIntervalMs (${this.queryIntervalMs})`);
    }
    this.tickMs = Math.max(100, Math.min(TICK_MS, staleAfterMs / 2));
    this.table = new PeerTable({ staleAfterMs, onChange: opts.onChange, log: opts.log });
  }

  /** Open the sockets and send the first query; resolves once they are bound (bounded, never throws). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.startedAt = Date.now();
    this.nextQueryAt = this.startedAt + (EARLY_QUERIES_MS[0] ?? this.queryIntervalMs);
    this.reconcile();
    this.schedule();
    const ready = [...this.listeners.values()].map((l) => l.ready);
    await withTimeout(Promise.all(ready), 3_000, 'mdns browse sockets').catch((err: unknown) =>
      this.opts.log.warn('mdns: browsing is not ready yet', { err }),
    );
  }

  async stop(timeoutMs = 2_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const closing = [...this.listeners.values()].map((l) => this.close(l));
    this.listeners.clear();
    await withTimeout(Promise.all(closing), timeoutMs, 'closing mdns sockets').catch((err: unknown) =>
      this.opts.log.warn('mdns: sockets did not close in time', { err }),
    );
    this.table.clear();
  }

  list() {
    return this.table.list();
  }

  /** Ask the LAN now (e.g. the admin pressed "refresh"). */
  query(): void {
    for (const l of this.listeners.values()) if (!l.broken) l.browser.update();
  }

  private schedule(): void {
    const now = Date.now();
    const wait = Math.max(0, Math.min(this.tickMs, this.nextQueryAt - now));
    this.timer = setTimeout(() => this.tick(), wait);
    this.timer.unref();
  }

  private tick(): void {
    if (!this.running) return;
    this.reconcile();
    const now = Date.now();
    if (now >= this.nextQueryAt) {
      this.query();
      const sinceStart = now - this.startedAt;
      const early = EARLY_QUERIES_MS.find((t) => t > sinceStart + 50);
      this.nextQueryAt = early !== undefined ? this.startedAt + early : now + this.queryIntervalMs;
    }
    this.table.sweep(now);
    this.schedule();
  }

  private warnOnce(key: string, msg: string, fields: Record<string, unknown>): void {
    if (this.reported.has(key)) return this.opts.log.debug(msg, fields);
    this.reported.add(key);
    this.opts.log.warn(msg, fields);
  }

  /** Follow the interfaces as they come, go and change address; replace sockets that failed. */
  private reconcile(): void {
    const wanted = browseInterfaces(this.opts.interfaces);
    for (const want of this.opts.interfaces ?? []) {
      if (wanted.has(want) || [...wanted.values()].includes(want)) this.reported.delete(`missing|${want}`);
      else this.warnOnce(`missing|${want}`, 'mdns: no IPv4 address on an interface to browse on (yet)', { iface: want });
    }
    for (const [key, l] of this.listeners) {
      if (wanted.get(l.name) === l.address && !l.broken) continue;
      this.listeners.delete(key);
      void this.close(l);
    }
    for (const [name, address] of wanted) {
      const key = `${name}|${address}`;
      if (this.listeners.has(key)) continue;
      try {
        this.listeners.set(key, this.open(name, address));
      } catch (err) {
        this.warnOnce(`open|${name}`, 'mdns: cannot browse on an interface, will retry', { iface: name, address, err });
      }
    }
  }

  private open(name: string, address: string): Listener {
    const log = this.opts.log.child({ iface: name });
    // Bind the wildcard address (a socket bound to a unicast address never receives multicast),
    // join the group and send on this one interface. Errors from replying (we never reply) are logged.
    const bonjour = new Bonjour({ interface: address, bind: '0.0.0.0' } as ConstructorParameters<typeof Bonjour>[0], (err: unknown) =>
      log.debug('mdns: send failed', { err }),
    );
    const mdns = (bonjour as unknown as { server?: { mdns?: Mdns } }).server?.mdns;
    if (!mdns) throw new Error('bonjour-service changed shape: no server.mdns');
    const listener = { name, address, bonjour, broken: false } as Listener;
    listener.ready = new Promise<void>((resolve) => {
      mdns.once('ready', () => {
        this.reported.delete(`socket|${name}`);
        resolve();
      });
      mdns.on('error', (err) => {
        // EADDRINUSE / EACCES on bind: another program owns 5353 exclusively. Try again next tick.
        this.warnOnce(`socket|${name}`, 'mdns: socket error, will reopen', { iface: name, err });
        listener.broken = true;
        resolve();
      });
    });
    mdns.on('warning', (err) => log.debug('mdns: socket warning', { err }));
    const browser = bonjour.find({ type: FERRY_SERVICE_TYPE, protocol: 'tcp' });
    listener.browser = browser;
    // Registered after the Browser's own handler, so its `services` already reflect this packet.
    mdns.on('response', (packet, rinfo) => this.onResponse(browser, packet, rinfo));
    browser.on('down', (service: Service) => this.table.forget(service.fqdn));
    return listener;
  }

  private close(l: Listener): Promise<void> {
    l.browser.stop();
    return new Promise<void>((resolve) => {
      try {
        l.bonjour.destroy(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  private onResponse(browser: Browser, packet: DnsPacket, rinfo: RemoteInfo): void {
    if (!this.running) return;
    const records = [...(packet.answers ?? []), ...(packet.additionals ?? [])].filter((r) => (r.ttl ?? 0) > 0);
    const fqdns = new Set<string>();
    for (const r of records) {
      if (r.type === 'PTR' && typeof r.data === 'string' && r.data.toLowerCase().endsWith(FERRY_SERVICE_SUFFIX)) fqdns.add(r.data.toLowerCase());
      if ((r.type === 'SRV' || r.type === 'TXT') && r.name.toLowerCase().endsWith(FERRY_SERVICE_SUFFIX)) fqdns.add(r.name.toLowerCase());
    }
    const now = Date.now();
    for (const fqdn of fqdns) {
      const service = browser.services.find((s) => s.fqdn?.toLowerCase() === fqdn);
      if (!service) continue;
      const obs = this.observation(service, records, rinfo, now);
      if (obs) this.table.observe(obs);
    }
  }

  private observation(service: Service, records: DnsRecord[], rinfo: RemoteInfo, now: number): Observation | null {
    const txt = (service.txt ?? {}) as Record<string, unknown>;
    const nodeId = typeof txt.id === 'string' ? txt.id : '';
    if (nodeId === this.opts.selfId) return null;
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,127}$/.test(nodeId)) {
      this.opts.log.debug('mdns: ignoring a _ferry._tcp service without a valid node id', { fqdn: service.fqdn });
      return null;
    }
    const txtPort = Number(typeof txt.port === 'string' ? txt.port : NaN);
    const port = Number.isInteger(txtPort) && txtPort > 0 && txtPort < 65536 ? txtPort : service.port;
    if (!(port > 0 && port < 65536)) return null;
    const host = service.host?.toLowerCase();
    // This packet's A/AAAA for the host (an address may have changed since the Browser first saw it),
    // else what the Browser kept; plus the packet's source, which demonstrably reaches us.
    const inPacket = records.filter((r) => (r.type === 'A' || r.type === 'AAAA') && r.name.toLowerCase() === host).map((r) => String(r.data));
    const addresses = orderAddresses([...(inPacket.length ? inPacket : (service.addresses ?? [])), rinfo.address]);
    return {
      fqdn: service.fqdn.toLowerCase(),
      nodeId,
      name: clean(nameFromFqdn(service.fqdn) ?? service.name, 63),
      port,
      version: clean(typeof txt.v === 'string' ? txt.v : '', 64),
      addresses,
      hasAddressRecords: inPacket.length > 0,
      via: rinfo.address,
      at: now,
    };
  }
}

/** Anyone on the LAN can answer: what ends up on a screen has no control characters and a bounded length. */
function clean(s: string, max: number): string {
  return [...s.replace(/\p{Cc}/gu, '')].slice(0, max).join('');
}
