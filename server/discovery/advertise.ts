import ciao, { type CiaoService, type Responder } from '@homebridge/ciao';
import type { Logger } from '../log.js';
import { FERRY_SERVICE_TYPE, instanceName, mdnsHostname, withTimeout } from './names.js';
import { advertiseInterfaces } from './net.js';

export interface AdvertiserOptions {
  nodeId: string;
  name: string;
  version: string;
  port: number;
  log: Logger;
  /** Interface names (or addresses) to advertise on; every interface with an address when absent. */
  interfaces?: string[];
  /** First retry delay after a failed attempt; doubles up to a minute. */
  retryMs?: number;
  /** How often to look for interfaces that came or went (only without `interfaces`). */
  watchMs?: number;
}

export type AdvertiserState = 'idle' | 'probing' | 'announced' | 'retrying' | 'stopped';

const MAX_RETRY_MS = 60_000;

/**
 * Announces this daemon as `<name>._ferry._tcp.local` with TXT {id, v, port}.
 * Network trouble is logged and retried, never thrown: a daemon without mDNS still works
 * (manual peers), and the LAN may come back later.
 */
export class Advertiser {
  private responder: Responder | null = null;
  private service: CiaoService | null = null;
  private ifaces: string[] = [];
  private retryTimer: NodeJS.Timeout | null = null;
  private watchTimer: NodeJS.Timeout | null = null;
  private retryDelay: number;
  private current: string;
  private _state: AdvertiserState = 'idle';
  private announcedOnce: () => void = () => undefined;
  /** Resolves the first time the service is announced (it may never be, on a machine with no network). */
  readonly announced: Promise<void>;

  constructor(private readonly opts: AdvertiserOptions) {
    this.current = instanceName(opts.name);
    this.retryDelay = opts.retryMs ?? 1_000;
    this.announced = new Promise((resolve) => (this.announcedOnce = resolve));
  }

  get state(): AdvertiserState {
    return this._state;
  }

  /** A getter, so TypeScript does not narrow `_state` across an await (it changes meanwhile). */
  private get stopped(): boolean {
    return this._state === 'stopped';
  }

  /** The instance name on the network: ciao renames it ("name (2)") when another machine holds it. */
  get advertisedName(): string {
    return this.current;
  }

  start(): void {
    if (this._state !== 'idle') return;
    this.bind();
    void this.attempt();
    if (!this.opts.interfaces?.length) {
      this.watchTimer = setInterval(() => void this.rebindIfInterfacesChanged(), this.opts.watchMs ?? 15_000);
      this.watchTimer.unref();
    }
  }

  private bind(): void {
    this.ifaces = advertiseInterfaces(this.opts.interfaces);
    // Binds UDP 5353 (shared with other mDNS sockets through SO_REUSEADDR). ciao shares one
    // responder between callers with equal options, counting references for shutdown().
    this.responder = ciao.getResponder(this.ifaces.length ? { interface: [...this.ifaces] } : undefined);
  }

  private async attempt(): Promise<void> {
    const responder = this.responder;
    if (this.stopped || !responder) return;
    this._state = 'probing';
    const service = responder.createService({
      name: this.current,
      type: FERRY_SERVICE_TYPE,
      port: this.opts.port,
      // The host name comes from the node id, not the display name: two machines called
      // "laptop" then clash only on the instance name, which ciao renames.
      hostname: mdnsHostname(this.opts.nodeId),
      txt: { id: this.opts.nodeId, v: this.opts.version, port: String(this.opts.port) },
    });
    service.on('name-change', (name: string) => {
      this.opts.log.info('mdns: name taken on the network, advertising under another', { wanted: this.current, name });
      this.current = name;
    });
    service.on('hostname-change', (hostname: string) => this.opts.log.debug('mdns: host name changed', { hostname }));
    this.service = service;
    try {
      await service.advertise();
      if (this.service !== service || this.stopped) return;
      this._state = 'announced';
      this.retryDelay = this.opts.retryMs ?? 1_000;
      this.opts.log.info('mdns: advertising', { name: this.current, type: `_${FERRY_SERVICE_TYPE}._tcp`, port: this.opts.port, interfaces: this.ifaces });
      this.announcedOnce();
    } catch (err) {
      if (this.service !== service || this.stopped) return;
      this.service = null;
      this._state = 'retrying';
      this.opts.log.warn('mdns: advertising failed, will retry', { err, retryInMs: this.retryDelay });
      service.destroy().catch(() => undefined);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        void this.attempt();
      }, this.retryDelay);
      this.retryTimer.unref();
      this.retryDelay = Math.min(this.retryDelay * 2, MAX_RETRY_MS);
    }
  }

  /** ciao follows address changes on the interfaces it was given, but not new interfaces: start over. */
  private async rebindIfInterfacesChanged(): Promise<void> {
    if (this.stopped || this._state === 'probing') return;
    const now = advertiseInterfaces(this.opts.interfaces);
    if (now.join() === this.ifaces.join()) return;
    this.opts.log.info('mdns: interfaces changed, advertising again', { before: this.ifaces, after: now });
    await this.release(3_000);
    if (this.stopped) return;
    this.bind();
    await this.attempt();
  }

  /** Goodbye (TTL 0) for the service, then close the sockets if no one else shares the responder. */
  private async release(timeoutMs: number): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const service = this.service;
    const responder = this.responder;
    this.service = null;
    this.responder = null;
    if (!responder) return;
    const goodbye = async () => {
      // destroy() = end() (the goodbye packets) + forget the service.
      if (service) await service.destroy();
      await responder.shutdown();
    };
    try {
      await withTimeout(goodbye(), timeoutMs, 'mdns goodbye');
    } catch (err) {
      this.opts.log.warn('mdns: goodbye incomplete', { err });
    }
  }

  /** Send goodbye packets and release the sockets, within `timeoutMs`. Never throws. */
  async stop(timeoutMs = 3_000): Promise<void> {
    if (this.stopped) return;
    this._state = 'stopped';
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.watchTimer = null;
    await this.release(timeoutMs);
  }
}
