import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { Config } from '../config.js';
import type { EventBus } from '../events/bus.js';
import { ApiError } from '../http/errors.js';
import type { Logger } from '../log.js';
import type {
  AgentName,
  AiTask,
  AiTaskCreate,
  AiTaskEvent,
  AiTaskEventType,
  AiTaskPage,
  AiTaskStatus,
  FerryEvent,
  PermissionAnswer,
  PermissionDecision,
  PermissionPrompt,
  PermissionRequest,
} from '../protocol/index.js';
import { AI_TASK_FINAL } from '../protocol/index.js';
import type { Clock } from '../services/clock.js';
import { resolveCwd, resolveProgram } from '../services/exec/resolve.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { killOrphanGroup, processStartTime, signalGroup } from '../util/process-group.js';
import { ADAPTERS, PERMISSION_SERVER, clip, type AgentItem, type ParseState } from './agents.js';
import { toTaskSummary, type AiTaskRow, type AiTaskStore } from './store.js';

type StopReason = 'canceled' | 'timed-out' | 'interrupted';

/** Told about a task's events as they are stored, and once when it ends. */
export type TaskListener = (item: { type: 'event'; event: AiTaskEvent } | { type: 'end'; task: AiTask }) => void;

interface Running {
  id: string;
  agent: AgentName;
  child: ChildProcess;
  /** SHA-256 of the task token its permission tool presents. */
  tokenHash: Buffer | null;
  dir: string;
  parse: ParseState;
  stopReason?: StopReason;
  spawnError?: Error;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  result?: { text: string; isError: boolean };
  timers: NodeJS.Timeout[];
  /** Streamed text (deltas) not yet stored: joined into one event. */
  pendingText: string;
  textTimer?: NodeJS.Timeout;
  stderrTail: string;
  stderrBytes: number;
  truncatedNoted: boolean;
  closed: Promise<void>;
}

const TEXT_FLUSH_MS = 200;
const STDERR_EVENT_CAP = 64 * 1024;

export interface AiTaskDeps {
  store: AiTaskStore;
  bus: EventBus;
  config: Config['aiTasks'];
  clock: Clock;
  log: Logger;
  /** Where each running task keeps its files (the agent's MCP config with the task token). */
  tasksDir: string;
  /** The daemon's local API base URL, for the agent's permission tool; null while not listening. */
  apiUrl: () => string | null;
  /** The script of Ferry's permission MCP server (run with this node). */
  permissionServer: string;
}

/**
 * Runs prompts with a coding agent's CLI in its structured-output mode: one process group per task,
 * at most `aiTasks.maxConcurrent` at once (the rest wait, queued, in order), every step stored as a
 * numbered event so a watcher can resume with `since`. Tool permission requests (Claude Code's
 * permission-prompt tool, through Ferry's MCP permission server) wait for the dispatcher or a person
 * here to allow or deny them.
 */
export class AiTaskService {
  private readonly running = new Map<string, Running>();
  private readonly listeners = new Map<string, Set<TaskListener>>();
  private readonly waiters = new Map<string, { taskId: string; resolve: (p: PermissionRequest) => void }>();
  private stopped = false;
  private pruner: NodeJS.Timeout | undefined;

  constructor(private readonly d: AiTaskDeps) {}

  /**
   * After a crash: tasks still marked running are killed if their process group provably survives
   * (pid and start time), marked lost; permission requests nobody can answer any more expire.
   * Queued tasks stay queued and start now.
   */
  recover(): number {
    const now = this.d.clock.now();
    for (const o of this.d.store.orphans()) {
      if (killOrphanGroup(o.pid, o.pid_start)) this.d.log.warn('killed the process group of an AI task left by a crashed daemon', { taskId: o.id, pid: o.pid });
    }
    const lost = this.d.store.runningIds();
    this.d.store.transaction(() => {
      this.d.store.expireAllPending(now);
      for (const id of lost) {
        this.d.store.finish({ id, status: 'lost', exit_code: null, error_code: 'daemon-stopped', error_message: 'the daemon stopped while this task ran', ended_at: now });
        this.d.store.addEvent(id, now, 'status', { status: 'lost' });
      }
    });
    fs.rmSync(this.d.tasksDir, { recursive: true, force: true });
    return lost.length;
  }

  /** Start whatever waits in the queue (after recover, once the daemon listens), and the hourly retention pass. */
  resume(): void {
    this.pump();
    if (this.pruner) return;
    this.prune();
    this.pruner = setInterval(() => this.prune(), 3600_000);
    this.pruner.unref();
  }

  /** Ended tasks past `aiTasks.retentionDays` are deleted with their events. */
  prune(): number {
    const n = this.d.store.prune(this.d.clock.now() - this.d.config.retentionDays * 86_400_000);
    if (n > 0) this.d.log.info('deleted old AI tasks', { count: n });
    return n;
  }

  /** What /status shows: running, waiting, the cap, and which agents' programs are found. */
  overview(): { running: number; queued: number; maxConcurrent: number; agents: Record<AgentName, boolean> } {
    const found = (agent: AgentName) => {
      try {
        this.resolveAgent(agent, os.homedir());
        return true;
      } catch {
        return false;
      }
    };
    return {
      running: this.running.size,
      queued: this.d.store.countQueued(),
      maxConcurrent: this.d.config.maxConcurrent,
      agents: { claude: found('claude'), gemini: found('gemini'), codex: found('codex') },
    };
  }

  /** Check and store a new task; it starts at once if a slot is free, else it waits its turn. */
  create(req: AiTaskCreate, principal: string): AiTask {
    if (this.stopped) throw new ApiError('draining', 'the daemon is shutting down');
    const agent = req.agent ?? 'claude';
    const timeoutMs = req.timeoutMs ?? this.d.config.defaultTimeoutMs;
    if (timeoutMs > this.d.config.maxTimeoutMs) {
      throw new ApiError('validation-failed', `timeoutMs ${timeoutMs} is above the limit ${this.d.config.maxTimeoutMs} (aiTasks.maxTimeoutMs)`, [{ path: 'timeoutMs', message: `at most ${this.d.config.maxTimeoutMs}` }]);
    }
    const cwd = resolveCwd(req.cwd ?? os.homedir());
    this.resolveAgent(agent, cwd);
    if (this.running.size >= this.d.config.maxConcurrent && this.d.store.countQueued() >= this.d.config.maxQueued) {
      throw new ApiError('too-many-ai-tasks', `${this.d.config.maxQueued} AI tasks are already waiting (aiTasks.maxQueued); retry when some have run`, { limit: this.d.config.maxQueued }, { 'retry-after': '30' });
    }
    const now = this.d.clock.now();
    const id = crypto.randomBytes(8).toString('hex');
    const events: FerryEvent[] = [];
    const row = this.d.store.transaction(() => {
      const inserted = this.d.store.insert({ id, agent, prompt: req.prompt, cwd, model: req.model ?? null, principal, timeout_ms: timeoutMs, created_at: now });
      this.d.store.addEvent(id, now, 'status', { status: 'queued' });
      events.push(this.d.bus.record('ai-task.updated', { task: toTaskSummary(this.d.store.get(id)!) }));
      return inserted;
    });
    this.d.bus.dispatch(...events);
    this.pump();
    return this.get(row.id);
  }

  /** The agent's program on this machine's PATH (or as configured), or a clear 422. */
  private resolveAgent(agent: AgentName, cwd: string): string {
    const command = this.d.config.commands[agent];
    try {
      return resolveProgram(command, cwd, process.env.PATH);
    } catch (err) {
      if (err instanceof ApiError) {
        throw new ApiError('agent-not-installed', `${agent} is not installed on this machine: no "${command}" on PATH (set aiTasks.commands.${agent} to its path)`, { agent, command });
      }
      throw err;
    }
  }

  /** Start queued tasks while there are free slots. */
  private pump(): void {
    if (this.stopped) return;
    const free = this.d.config.maxConcurrent - this.running.size;
    if (free <= 0) return;
    for (const row of this.d.store.queued(free)) this.launch(row);
  }

  private launch(row: AiTaskRow): void {
    const adapter = ADAPTERS[row.agent];
    let file: string;
    try {
      file = this.resolveAgent(row.agent, row.cwd);
      if (!fs.statSync(row.cwd).isDirectory()) throw new ApiError('cwd-not-found', `working directory "${row.cwd}" is not a directory`);
    } catch (err) {
      // Queued while it was there; gone by the time its turn came.
      const e = err instanceof ApiError ? err : new ApiError('internal-error', String(err));
      this.endWithoutProcess(row.id, 'failed', e.code, e.message);
      return;
    }
    const dir = path.join(this.d.tasksDir, row.id);
    let tokenHash: Buffer | null = null;
    let mcpConfigPath: string | null = null;
    const apiUrl = this.d.apiUrl();
    if (adapter.permissionPrompts && apiUrl) {
      // The agent's permission tool authenticates with a token good for this task's requests only;
      // it is in a 0600 file (never on a command line), removed when the task ends.
      const token = crypto.randomBytes(32).toString('base64url');
      tokenHash = crypto.createHash('sha256').update(token).digest();
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      mcpConfigPath = path.join(dir, 'mcp.json');
      const config = {
        mcpServers: {
          [PERMISSION_SERVER]: {
            type: 'stdio',
            command: process.execPath,
            args: [this.d.permissionServer],
            env: { FERRY_TASK_URL: apiUrl, FERRY_TASK_ID: row.id, FERRY_TASK_TOKEN: token },
          },
        },
      };
      writeFileAtomic(mcpConfigPath, `${JSON.stringify(config, null, 2)}\n`, 0o600);
    }
    const inv = adapter.invocation({ model: row.model, mcpConfigPath, permissionTimeoutMs: this.d.config.permissionTimeoutMs });
    const child = spawn(file, inv.args, {
      cwd: row.cwd,
      env: { ...process.env, ...inv.env },
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let closedResolve!: () => void;
    const r: Running = {
      id: row.id,
      agent: row.agent,
      child,
      tokenHash,
      dir,
      parse: { lastText: '' },
      timers: [],
      pendingText: '',
      stderrTail: '',
      stderrBytes: 0,
      truncatedNoted: false,
      closed: new Promise<void>((res) => (closedResolve = res)),
    };
    this.running.set(row.id, r);
    const now = this.d.clock.now();
    this.d.store.markStarted(row.id, now, child.pid ?? null, child.pid === undefined ? null : processStartTime(child.pid));
    this.addEvent(r.id, 'status', { status: 'running', agent: row.agent, command: path.basename(file), permissionPrompts: tokenHash !== null });
    this.announce(r.id);

    child.stdin!.on('error', () => undefined); // an agent that exits without reading: not our error
    child.stdin!.end(row.prompt);
    const lines = readline.createInterface({ input: child.stdout!, crlfDelay: Infinity });
    lines.on('line', (line) => this.onLine(r, line));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => this.onStderr(r, chunk));
    child.on('error', (err) => {
      r.spawnError = err;
      if (child.pid === undefined) void this.finish(r).then(closedResolve);
    });
    child.on('exit', (code, signal) => (r.exit = { code, signal }));
    child.on('close', () => void this.finish(r).then(closedResolve));
    r.timers.push(setTimeout(() => this.stop(r, 'timed-out'), row.timeout_ms));
  }

  private onLine(r: Running, line: string): void {
    let items: AgentItem[];
    try {
      items = ADAPTERS[r.agent].parse(line, r.parse);
    } catch (err) {
      this.d.log.warn('could not read a line of agent output', { taskId: r.id, err });
      items = [{ kind: 'event', type: 'notice', data: { message: clip(line, 4096) } }];
    }
    for (const item of items) {
      if (item.kind === 'event') {
        if (item.type === 'text' && item.delta) {
          r.pendingText += String(item.data.text ?? '');
          r.textTimer ??= setTimeout(() => this.flushText(r), TEXT_FLUSH_MS);
          continue;
        }
        this.flushText(r);
        this.addEvent(r.id, item.type, item.data);
      } else if (item.kind === 'session') {
        this.d.store.setSession(r.id, item.sessionId);
      } else {
        this.flushText(r);
        r.result = { text: item.text, isError: item.isError };
        this.d.store.setResult(r.id, { result: clip(item.text, 64 * 1024), costUsd: item.costUsd, sessionId: null });
        this.addEvent(r.id, 'result', { text: clip(item.text), isError: item.isError, costUsd: item.costUsd, turns: item.turns });
      }
    }
  }

  private flushText(r: Running): void {
    if (r.textTimer) clearTimeout(r.textTimer);
    r.textTimer = undefined;
    if (!r.pendingText) return;
    const text = r.pendingText;
    r.pendingText = '';
    // A piece of a streamed message: the next text event may continue it (no line break between).
    this.addEvent(r.id, 'text', { text: clip(text), delta: true });
  }

  private onStderr(r: Running, chunk: string): void {
    r.stderrTail = (r.stderrTail + chunk).slice(-4096);
    if (r.stderrBytes >= STDERR_EVENT_CAP) return;
    const part = chunk.slice(0, STDERR_EVENT_CAP - r.stderrBytes);
    r.stderrBytes += part.length;
    this.addEvent(r.id, 'stderr', { text: part });
    if (r.stderrBytes >= STDERR_EVENT_CAP) this.addEvent(r.id, 'notice', { message: `stderr beyond ${STDERR_EVENT_CAP} bytes is not recorded` });
  }

  /** Store one event (unless the task's log is full) and tell whoever follows the task. */
  private addEvent(taskId: string, type: AiTaskEventType, data: Record<string, unknown>, force = false): AiTaskEvent | null {
    const r = this.running.get(taskId);
    const count = this.d.store.eventCount(taskId);
    if (count === undefined) return null;
    const essential = type === 'status' || type === 'result' || type === 'permission-request' || type === 'permission-decision';
    if (count >= this.d.config.maxEvents && !essential && !force) {
      if (r && !r.truncatedNoted) {
        r.truncatedNoted = true;
        this.addEvent(taskId, 'notice', { message: `this task has ${this.d.config.maxEvents} events (aiTasks.maxEvents): further output is not recorded; its result and decisions still are`, truncated: true }, true);
      }
      return null;
    }
    let fe!: FerryEvent;
    const event = this.d.store.transaction(() => {
      const e = this.d.store.addEvent(taskId, this.d.clock.now(), type, data);
      fe = this.d.bus.record('ai-task.event', { taskId, event: e });
      return e;
    });
    this.d.bus.dispatch(fe);
    for (const l of this.listeners.get(taskId) ?? []) l({ type: 'event', event });
    return event;
  }

  private announce(taskId: string): void {
    const row = this.d.store.get(taskId);
    if (row) this.d.bus.publish('ai-task.updated', { task: toTaskSummary(row) });
  }

  private async finish(r: Running): Promise<void> {
    if (!this.running.has(r.id)) return;
    this.running.delete(r.id);
    for (const t of r.timers) clearTimeout(t);
    this.flushText(r);
    const { code, signal } = r.exit ?? { code: null, signal: null };
    let status: AiTaskStatus;
    let error: { code: string; message: string } | null = null;
    if (r.spawnError) {
      status = 'failed';
      error = { code: 'spawn-failed', message: `could not start ${r.agent}: ${r.spawnError.message}` };
    } else if (r.stopReason) {
      status = r.stopReason;
      if (r.stopReason === 'timed-out') error = { code: 'timed-out', message: `stopped after ${this.d.store.get(r.id)?.timeout_ms ?? 0} ms (timeoutMs)` };
    } else if (code === 0 && !r.result?.isError) {
      status = 'succeeded';
    } else {
      status = 'failed';
      const why = r.result?.isError ? r.result.text : r.stderrTail.trim().split('\n').slice(-3).join('\n');
      error = { code: 'agent-failed', message: clip(`${r.agent} ${signal ? `was killed by ${signal}` : `exited with ${code}`}${why ? `: ${why}` : ''}`, 2000) };
    }
    this.expirePermissions(r.id, 'task-ended');
    this.d.store.finish({ id: r.id, status, exit_code: code, error_code: error?.code ?? null, error_message: error?.message ?? null, ended_at: this.d.clock.now() });
    this.addEvent(r.id, 'status', { status, exitCode: code, ...(error ? { error } : {}) });
    fs.rmSync(r.dir, { recursive: true, force: true });
    this.announce(r.id);
    const task = this.get(r.id);
    for (const l of this.listeners.get(r.id) ?? []) l({ type: 'end', task });
    this.listeners.delete(r.id);
    this.pump();
  }

  /** A task that never got a process (cancelled while queued, or its agent vanished). */
  private endWithoutProcess(id: string, status: AiTaskStatus, code: string | null, message: string | null): void {
    const now = this.d.clock.now();
    this.d.store.finish({ id, status, exit_code: null, error_code: code, error_message: message, ended_at: now });
    this.addEvent(id, 'status', { status, ...(code ? { error: { code, message } } : {}) });
    this.announce(id);
    const task = this.get(id);
    for (const l of this.listeners.get(id) ?? []) l({ type: 'end', task });
    this.listeners.delete(id);
  }

  private stop(r: Running, reason: StopReason): void {
    r.stopReason ??= reason;
    this.expirePermissions(r.id, reason);
    this.signalGroup(r, 'SIGTERM');
    r.timers.push(setTimeout(() => this.signalGroup(r, 'SIGKILL'), this.d.config.killGraceMs));
  }

  private signalGroup(r: Running, sig: NodeJS.Signals): void {
    const err = signalGroup(r.child, sig);
    if (err) this.d.log.warn('could not signal an AI task', { taskId: r.id, sig, err });
  }

  cancel(id: string): AiTask {
    const row = this.d.store.get(id);
    if (!row) throw new ApiError('ai-task-not-found', `no AI task "${id}"`, { id });
    const r = this.running.get(id);
    if (r) {
      this.stop(r, 'canceled');
      return this.get(id);
    }
    if (row.status === 'queued') {
      this.endWithoutProcess(id, 'canceled', null, null);
      return this.get(id);
    }
    throw new ApiError('ai-task-not-running', `AI task "${id}" has already ended (it is ${row.status})`, { id, status: row.status });
  }

  get(id: string): AiTask {
    const row = this.d.store.get(id);
    if (!row) throw new ApiError('ai-task-not-found', `no AI task "${id}"`, { id });
    return this.d.store.view(row);
  }

  /** Who dispatched a task (for the visibility check), or a 404. */
  principalOf(id: string): string {
    const row = this.d.store.get(id);
    if (!row) throw new ApiError('ai-task-not-found', `no AI task "${id}"`, { id });
    return row.principal;
  }

  list(opts: { status?: AiTaskStatus | undefined; limit?: number | undefined; before?: number | undefined; principal?: string | undefined }): AiTaskPage & { lastSeq: number | null } {
    const limit = opts.limit ?? 50;
    const rows = this.d.store.list(opts.status ?? null, opts.before ?? Number.MAX_SAFE_INTEGER, limit + 1, opts.principal ?? null);
    const pageRows = rows.slice(0, limit);
    return { items: pageRows.map(toTaskSummary), nextCursor: null, lastSeq: rows.length > limit ? pageRows[pageRows.length - 1]!.seq : null };
  }

  events(id: string, since: number, limit: number): { items: AiTaskEvent[]; nextSince: number; ended: boolean; status: AiTaskStatus } {
    const row = this.d.store.get(id);
    if (!row) throw new ApiError('ai-task-not-found', `no AI task "${id}"`, { id });
    const items = this.d.store.events(id, since, limit);
    const nextSince = items.length ? items[items.length - 1]!.seq : since;
    const final = AI_TASK_FINAL.includes(row.status);
    return { items, nextSince, ended: final && nextSince >= row.event_count, status: row.status };
  }

  /**
   * Follow a task: stored events after `since`, then live ones, then `end`. Reading the stored
   * ones and subscribing happen in one synchronous step, so nothing falls between them.
   */
  follow(id: string, since: number, onItem: TaskListener): () => void {
    const row = this.d.store.get(id);
    if (!row) throw new ApiError('ai-task-not-found', `no AI task "${id}"`, { id });
    let cursor = since;
    for (;;) {
      const batch = this.d.store.events(id, cursor, 1000);
      for (const e of batch) onItem({ type: 'event', event: e });
      if (batch.length < 1000) break;
      cursor = batch[batch.length - 1]!.seq;
    }
    if (AI_TASK_FINAL.includes(row.status)) {
      onItem({ type: 'end', task: this.get(id) });
      return () => undefined;
    }
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(onItem);
    return () => set.delete(onItem);
  }

  // ── permissions ───────────────────────────────────────────────────────────

  /** Is this the token of that running task? (Constant time.) */
  checkToken(taskId: string, token: string | undefined): boolean {
    const r = this.running.get(taskId);
    if (!r?.tokenHash || !token) return false;
    return crypto.timingSafeEqual(r.tokenHash, crypto.createHash('sha256').update(token).digest());
  }

  /**
   * The agent asks to use a tool: record the request, tell everyone, and wait for a decision (the
   * dispatcher's or a person's here), the timeout, or the end of the task — then answer the agent.
   */
  async requestPermission(taskId: string, prompt: PermissionPrompt, signal: AbortSignal): Promise<PermissionAnswer> {
    const r = this.running.get(taskId);
    if (!r || r.stopReason) return { behavior: 'deny', message: 'the task is ending' };
    const now = this.d.clock.now();
    const requested = this.d.store.insertPermission({
      id: crypto.randomBytes(6).toString('hex'),
      task_id: taskId,
      tool: prompt.tool,
      input: prompt.input,
      requested_at: now,
      expires_at: now + this.d.config.permissionTimeoutMs,
    });
    const decided = new Promise<PermissionRequest>((resolve) => {
      const timer = setTimeout(() => this.expire(requested.id, taskId, 'timeout'), this.d.config.permissionTimeoutMs);
      const onAbort = () => this.expire(requested.id, taskId, 'agent-gone');
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.set(requested.id, {
        taskId,
        resolve: (p) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          resolve(p);
        },
      });
    });
    this.addEvent(taskId, 'permission-request', { permission: requested });
    this.d.bus.publish('ai-task.permission', { permission: requested });
    this.announce(taskId);
    const p = await decided;
    if (p.status === 'allowed') return { behavior: 'allow', updatedInput: prompt.input };
    if (p.status === 'denied') return { behavior: 'deny', message: p.message ?? 'denied by the person who dispatched this task' };
    return { behavior: 'deny', message: p.decidedBy === 'timeout' ? 'nobody answered this permission request in time' : 'the task is ending' };
  }

  /** Allow or deny a pending request. */
  decide(taskId: string, permissionId: string, decision: PermissionDecision, by: string): PermissionRequest {
    this.principalOf(taskId);
    const existing = this.d.store.permission(taskId, permissionId);
    if (!existing) throw new ApiError('permission-not-found', `no permission request "${permissionId}" in AI task "${taskId}"`, { taskId, permissionId });
    const p = this.settle(permissionId, taskId, decision.behavior === 'allow' ? 'allowed' : 'denied', by, decision.message ?? null);
    if (!p) throw new ApiError('permission-already-decided', `permission request "${permissionId}" is already ${this.d.store.permission(taskId, permissionId)?.status ?? 'decided'}`, { taskId, permissionId });
    return p;
  }

  private expire(id: string, taskId: string, by: string): void {
    this.settle(id, taskId, 'expired', by, null);
  }

  private expirePermissions(taskId: string, by: string): void {
    for (const p of this.d.store.pendingPermissions(taskId)) this.expire(p.id, taskId, by);
  }

  private settle(id: string, taskId: string, status: 'allowed' | 'denied' | 'expired', by: string, message: string | null): PermissionRequest | undefined {
    const p = this.d.store.decide(id, status, this.d.clock.now(), by, message);
    if (!p) return undefined;
    this.addEvent(taskId, 'permission-decision', { permission: p });
    this.d.bus.publish('ai-task.permission', { permission: p });
    this.announce(taskId);
    this.waiters.get(id)?.resolve(p);
    this.waiters.delete(id);
    return p;
  }

  /** On shutdown: queued tasks stay queued (they start with the next run); running ones are stopped and recorded. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.pruner) clearInterval(this.pruner);
    const all = [...this.running.values()];
    for (const r of all) this.stop(r, 'interrupted');
    await Promise.all(all.map((r) => r.closed));
  }
}
