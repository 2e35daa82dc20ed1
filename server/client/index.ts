import { API_PREFIX, CSRF_HEADER } from '../protocol/constants.js';
import type {
  AiTask,
  AiTaskCreate,
  AiTaskEvent,
  AiTaskEventPage,
  AiTaskListQuery,
  AiTaskPage,
  PermissionDecision,
  PermissionRequest,
  AddManualPeer,
  DirListing,
  FileStat,
  Transfer,
  TransferCreate,
  TransferList,
  TransferState,
  Approval,
  ApprovalList,
  ApprovalStatus,
  AuditPage,
  BroadcastResult,
  ContextBroadcast,
  ReceivedMessage,
  SendMessage,
  SentMessage,
  AuditQuery,
  ContextDeleted,
  ContextEntry,
  ContextListQuery,
  ContextPage,
  ContextPut,
  ExecRequest,
  FerryEvent,
  Health,
  Identity,
  Job,
  JobListQuery,
  JobPage,
  JobStreamOutput,
  JoinRequest,
  PairingOverview,
  PairingSession,
  PairingWindow,
  PatchPeer,
  PeerList,
  PeerStatus,
  PeerView,
  PresetName,
  TrustPeer,
  RotatedToken,
  SessionInfo,
  Status,
  Topic,
} from '../protocol/index.js';
import { FerryError, FerryUnreachableError } from './errors.js';
import { readSse } from './sse.js';

export { FerryError, FerryUnreachableError } from './errors.js';
export { readSse, type SseMessage } from './sse.js';

export interface FerryClientOptions {
  /** e.g. http://127.0.0.1:7717 — empty string for same-origin (the admin UI). */
  baseUrl: string;
  /** Send capability calls to this paired peer (name or node id) through the local daemon. */
  peer?: string;
  /** The admin token, sent as a bearer token. Absent in the browser (the session cookie is used). */
  token?: string;
  /** CSRF token for cookie-authenticated writes (the admin UI). */
  csrfToken?: string;
  fetch?: typeof fetch;
}

export type AiTaskStreamItem = { type: 'event'; event: AiTaskEvent } | { type: 'end'; task: AiTask };
export type JobStreamItem = { type: 'output'; output: JobStreamOutput } | { type: 'exit'; job: Job };

type Query = Record<string, string | number | boolean | string[] | undefined>;

/** Typed client for a local Ferry daemon's API. */
export class FerryClient {
  readonly baseUrl: string;
  /** The peer this client talks to through the local daemon, if any (see forPeer). */
  readonly peer: string | undefined;
  private readonly token: string | undefined;
  csrfToken: string | undefined;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: FerryClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.peer = opts.peer;
    this.token = opts.token;
    this.csrfToken = opts.csrfToken;
    this.fetchImpl = opts.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /**
   * The same client, aimed at a paired peer: status, identity, context, exec and jobs go through
   * `/api/v1/peers/<peer>/…` on the local daemon, which forwards them over mutual TLS.
   */
  forPeer(peer: string): FerryClient {
    return new FerryClient({ baseUrl: this.baseUrl, peer, ...(this.token ? { token: this.token } : {}), ...(this.csrfToken ? { csrfToken: this.csrfToken } : {}), fetch: this.fetchImpl });
  }

  /** Prefix for capability routes: the peer's, when this client is aimed at one. */
  private cap(path: string): string {
    return this.peer ? `/peers/${encodeURIComponent(this.peer)}${path}` : path;
  }

  // ── system ────────────────────────────────────────────────────────────────
  health(): Promise<Health> {
    return this.request('GET', '/health');
  }
  identity(): Promise<Identity> {
    return this.request('GET', this.cap('/identity'));
  }
  /** The daemon's status (a peer's status, through forPeer, is the smaller PeerStatus). */
  status(): Promise<Status> {
    return this.request('GET', this.cap('/status'));
  }

  // ── auth ──────────────────────────────────────────────────────────────────
  login(token: string): Promise<SessionInfo> {
    return this.request('POST', '/auth/session', { body: { token } });
  }
  session(): Promise<SessionInfo> {
    return this.request('GET', '/auth/session');
  }
  logout(): Promise<void> {
    return this.request('DELETE', '/auth/session');
  }
  rotateToken(): Promise<RotatedToken> {
    return this.request('POST', '/auth/token/rotate');
  }

  // ── context ───────────────────────────────────────────────────────────────
  contextGet(key: string): Promise<ContextEntry> {
    return this.request('GET', this.cap(`/context/${encodeURIComponent(key)}`));
  }
  contextPut(key: string, put: ContextPut): Promise<ContextEntry> {
    return this.request('PUT', this.cap(`/context/${encodeURIComponent(key)}`), { body: put });
  }
  contextDelete(key: string, opts: { ifVersion?: number } = {}): Promise<ContextDeleted> {
    return this.request('DELETE', this.cap(`/context/${encodeURIComponent(key)}`), { query: opts });
  }
  contextList(query: ContextListQuery = {}): Promise<ContextPage> {
    return this.request('GET', this.cap('/context'), { query });
  }

  // ── exec and jobs ─────────────────────────────────────────────────────────
  /** Run a command and wait for it to end (unless `wait: false`, which returns the running job). */
  exec(req: ExecRequest, opts: { signal?: AbortSignal } = {}): Promise<Job> {
    return this.request('POST', this.cap('/exec'), { body: req, signal: opts.signal });
  }
  jobs(query: JobListQuery = {}): Promise<JobPage> {
    return this.request('GET', this.cap('/jobs'), { query });
  }
  job(id: string): Promise<Job> {
    return this.request('GET', this.cap(`/jobs/${encodeURIComponent(id)}`));
  }
  cancelJob(id: string): Promise<Job> {
    return this.request('POST', this.cap(`/jobs/${encodeURIComponent(id)}/cancel`));
  }
  /** Live output of a job (what it printed so far, then as it comes), ending with its final state. */
  async *jobStream(id: string, opts: { signal?: AbortSignal } = {}): AsyncGenerator<JobStreamItem> {
    const res = await this.open('GET', this.cap(`/jobs/${encodeURIComponent(id)}/stream`), {}, opts.signal);
    for await (const msg of readSse(res, opts.signal)) {
      if (msg.event === 'output') yield { type: 'output', output: JSON.parse(msg.data) as JobStreamOutput };
      else if (msg.event === 'exit') {
        yield { type: 'exit', job: JSON.parse(msg.data) as Job };
        return;
      }
    }
  }

  // ── AI tasks ──────────────────────────────────────────────────────────────
  /** Dispatch a prompt to an agent (here, or on the peer of forPeer); answers at once (202) with the queued or running task. */
  createAiTask(req: AiTaskCreate, opts: { signal?: AbortSignal } = {}): Promise<AiTask> {
    return this.request('POST', this.cap('/ai-tasks'), { body: req, signal: opts.signal });
  }
  aiTasks(query: AiTaskListQuery = {}): Promise<AiTaskPage> {
    return this.request('GET', this.cap('/ai-tasks'), { query });
  }
  aiTask(id: string): Promise<AiTask> {
    return this.request('GET', this.cap(`/ai-tasks/${encodeURIComponent(id)}`));
  }
  cancelAiTask(id: string): Promise<AiTask> {
    return this.request('POST', this.cap(`/ai-tasks/${encodeURIComponent(id)}/cancel`));
  }
  /** A page of a task's events after `since` (0: from the start). */
  aiTaskEvents(id: string, opts: { since?: number; limit?: number } = {}): Promise<AiTaskEventPage> {
    return this.request('GET', this.cap(`/ai-tasks/${encodeURIComponent(id)}/events`), { query: opts });
  }
  /** A task's events after `since`, then live ones as they happen, ending with the final task. */
  async *followAiTask(id: string, opts: { since?: number; signal?: AbortSignal } = {}): AsyncGenerator<AiTaskStreamItem> {
    const res = await this.open('GET', this.cap(`/ai-tasks/${encodeURIComponent(id)}/events`), { since: opts.since, follow: 'true' }, opts.signal);
    for await (const msg of readSse(res, opts.signal)) {
      if (msg.event === 'task-event') yield { type: 'event', event: JSON.parse(msg.data) as AiTaskEvent };
      else if (msg.event === 'end') {
        yield { type: 'end', task: JSON.parse(msg.data) as AiTask };
        return;
      }
    }
  }
  /** Allow or deny a tool permission request of a task. */
  decidePermission(taskId: string, permissionId: string, decision: PermissionDecision): Promise<PermissionRequest> {
    return this.request('POST', this.cap(`/ai-tasks/${encodeURIComponent(taskId)}/permissions/${encodeURIComponent(permissionId)}`), { body: decision });
  }

  /** A peer's status as it shows it to paired peers (through forPeer). */
  peerStatus(): Promise<PeerStatus> {
    return this.request('GET', this.cap('/status'));
  }

  // ── files (this daemon's, or a peer's through forPeer) ────────────────────
  fileStat(path: string, opts: { hash?: boolean } = {}): Promise<FileStat> {
    return this.request('GET', this.cap('/files/stat'), { query: { path, ...(opts.hash ? { hash: '1' } : {}) } });
  }
  fileList(path: string): Promise<DirListing> {
    return this.request('GET', this.cap('/files/list'), { query: { path } });
  }

  // ── transfers (the local daemon moves the bytes; push/pull name the peer) ─
  startTransfer(req: TransferCreate): Promise<Transfer> {
    return this.request('POST', '/transfers', { body: req });
  }
  transfers(opts: { state?: TransferState; limit?: number } = {}): Promise<TransferList> {
    return this.request('GET', '/transfers', { query: opts });
  }
  transfer(id: string): Promise<Transfer> {
    return this.request('GET', `/transfers/${encodeURIComponent(id)}`);
  }
  cancelTransfer(id: string): Promise<Transfer> {
    return this.request('POST', `/transfers/${encodeURIComponent(id)}/cancel`);
  }

  // ── messages (local daemon; it delivers them) ─────────────────────────────
  sendMessage(req: SendMessage): Promise<SentMessage> {
    return this.request('POST', '/messages', { body: req });
  }
  outbox(limit?: number): Promise<{ items: SentMessage[] }> {
    return this.request('GET', '/messages/outbox', { query: { limit } });
  }
  sentMessage(id: string): Promise<SentMessage> {
    return this.request('GET', `/messages/outbox/${encodeURIComponent(id)}`);
  }
  inbox(q: { unacked?: boolean; from?: string; thread?: string; since?: string; limit?: number } = {}): Promise<{ items: ReceivedMessage[] }> {
    return this.request('GET', '/messages/inbox', { query: { ...q, unacked: q.unacked ? '1' : undefined } });
  }
  message(id: string): Promise<ReceivedMessage> {
    return this.request('GET', `/messages/inbox/${encodeURIComponent(id)}`);
  }
  ackMessage(id: string): Promise<ReceivedMessage> {
    return this.request('POST', `/messages/inbox/${encodeURIComponent(id)}/ack`);
  }
  /** Unread messages after `after` at once, or the next to arrive within `timeout` seconds. */
  waitForMessages(opts: { timeout?: number; after?: number; signal?: AbortSignal } = {}): Promise<{ items: ReceivedMessage[] }> {
    return this.request('GET', '/messages/wait', { query: { timeout: opts.timeout, after: opts.after }, signal: opts.signal });
  }
  /** Set a key on many peers (all paired, or `peers`) with a result per peer. */
  broadcastContext(req: ContextBroadcast): Promise<{ key: string; results: BroadcastResult[] }> {
    return this.request('POST', '/context/broadcast', { body: req });
  }

  // ── peers and pairing (local daemon only) ─────────────────────────────────
  peers(): Promise<PeerList> {
    return this.request('GET', '/peers');
  }
  /** Pin another daemon of the same owner without a ceremony (local fleets). */
  trustPeer(req: TrustPeer): Promise<PeerView> {
    return this.request('POST', '/peers/trust', { body: req });
  }
  addPeer(req: AddManualPeer): Promise<PeerView> {
    return this.request('POST', '/peers', { body: req });
  }
  /** Unpair a peer (or forget a manual address). */
  removePeer(ref: string): Promise<{ removed: string; notified: boolean | null }> {
    return this.request('DELETE', `/peers/${encodeURIComponent(ref)}`);
  }
  updatePeer(ref: string, change: PatchPeer): Promise<PeerView> {
    return this.request('PATCH', `/peers/${encodeURIComponent(ref)}`, { body: change });
  }
  openPairing(): Promise<PairingWindow> {
    return this.request('POST', '/pairing');
  }
  pairing(): Promise<PairingOverview> {
    return this.request('GET', '/pairing');
  }
  closePairing(): Promise<{ closed: boolean }> {
    return this.request('DELETE', '/pairing');
  }
  joinPairing(req: JoinRequest): Promise<PairingSession> {
    return this.request('POST', '/pairing/join', { body: req });
  }
  pairingSession(id: string): Promise<PairingSession> {
    return this.request('GET', `/pairing/sessions/${encodeURIComponent(id)}`);
  }
  /** This side's human confirms (the comparison codes matched); waits up to waitSeconds for the other side. */
  confirmPairing(id: string, policy: PresetName, waitSeconds?: number): Promise<PairingSession> {
    return this.request('POST', `/pairing/sessions/${encodeURIComponent(id)}/confirm`, { body: { policy, ...(waitSeconds !== undefined ? { waitSeconds } : {}) } });
  }
  rejectPairing(id: string): Promise<PairingSession> {
    return this.request('POST', `/pairing/sessions/${encodeURIComponent(id)}/reject`);
  }
  approvals(status?: ApprovalStatus): Promise<ApprovalList> {
    return this.request('GET', '/approvals', { query: { status } });
  }
  decideApproval(id: string, decision: 'approve' | 'deny', remember?: boolean): Promise<Approval> {
    return this.request('POST', `/approvals/${encodeURIComponent(id)}`, { body: { decision, ...(remember !== undefined ? { remember } : {}) } });
  }

  // ── audit ─────────────────────────────────────────────────────────────────
  audit(query: AuditQuery = {}): Promise<AuditPage> {
    return this.request('GET', '/audit', { query });
  }

  // ── events ────────────────────────────────────────────────────────────────
  /**
   * Stored events after `since`, then live ones, as they happen (SSE). `onReady` is called once the
   * daemon has subscribed this stream (with the newest event id): whatever happens after that is in
   * the stream, so a list fetched from then on plus the stream misses nothing.
   */
  async *events(opts: { since?: number; topics?: Topic[]; signal?: AbortSignal; onReady?: (lastId: number) => void } = {}): AsyncGenerator<FerryEvent> {
    const query: Query = { since: opts.since, topics: opts.topics?.join(',') };
    const res = await this.open('GET', '/events', query, opts.signal);
    for await (const msg of readSse(res, opts.signal)) {
      if (msg.event === 'ready') {
        opts.onReady?.((JSON.parse(msg.data) as { lastId: number }).lastId);
        continue;
      }
      yield JSON.parse(msg.data) as FerryEvent;
    }
  }

  // ── plumbing ──────────────────────────────────────────────────────────────
  url(path: string, query?: Query): string {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      qs.set(k, Array.isArray(v) ? v.join(',') : String(v));
    }
    const s = qs.toString();
    return `${this.baseUrl}${API_PREFIX}${path}${s ? `?${s}` : ''}`;
  }

  private headers(method: string, hasBody: boolean): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json' };
    if (hasBody) h['content-type'] = 'application/json';
    if (this.token) h.authorization = `Bearer ${this.token}`;
    if (this.csrfToken && method !== 'GET') h[CSRF_HEADER] = this.csrfToken;
    return h;
  }

  private async send(method: string, path: string, query: Query | undefined, body: unknown, signal?: AbortSignal): Promise<Response> {
    const url = this.url(path, query);
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers: this.headers(method, body !== undefined),
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
        signal,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new FerryUnreachableError(this.baseUrl || url, err);
    }
    if (!res.ok) throw await toError(res);
    return res;
  }

  async request<T>(method: string, path: string, opts: { query?: Query; body?: unknown; signal?: AbortSignal | undefined } = {}): Promise<T> {
    const res = await this.send(method, path, opts.query, opts.body, opts.signal);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  private async open(method: string, path: string, query: Query, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const res = await this.send(method, path, query, undefined, signal);
    if (!res.body) throw new FerryError(res.status, 'invalid-response', 'the daemon sent no stream body');
    return res.body;
  }
}

async function toError(res: Response): Promise<FerryError> {
  const text = await res.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as { error?: { code?: string; message?: string; details?: unknown } };
    if (parsed.error?.code) {
      return new FerryError(res.status, parsed.error.code, parsed.error.message ?? parsed.error.code, parsed.error.details);
    }
  } catch {
    // not JSON: fall through
  }
  return new FerryError(res.status, 'invalid-response', `HTTP ${res.status}: ${text.slice(0, 200)}`);
}
