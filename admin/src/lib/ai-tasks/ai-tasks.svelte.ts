import type { AiTask, AiTaskCreate, AiTaskEvent, AiTaskSummary, FerryEvent, PermissionDecision } from '$ferry/protocol/index.js';
import { api, describeError } from '../api.js';
import { live } from '../live.svelte.js';
import { appendEvents, emptyStream, isFinal, isNewer, toSummary, upsertPermission, type TaskStream } from './stream.js';

const LIST_LIMIT = 50;
/** Event streams are kept for this many tasks; older ones are fetched again when selected. */
const MAX_TRACKED = 20;
/** Events per catch-up request. */
const PAGE = 500;

/** What the detail view shows of one task. */
export interface TaskView {
  /** The daemon's copy (prompt, result, permission requests); null until it has been read. */
  task: AiTask | null;
  stream: TaskStream;
  loading: boolean;
  error: string | null;
}

/**
 * Recent AI tasks and the event streams of the ones looked at, kept live from the `ai-tasks`
 * topic. Events are numbered per task, so a gap (a dropped connection, an event that came before
 * the page asked) is noticed and filled with `GET …/events?since=`. It lives as long as the
 * signed-in layout: the nav shows the pending permission requests on every page.
 */
class AiTasksStore {
  list = $state<AiTaskSummary[]>([]);
  loaded = $state(false);
  listError = $state<string | null>(null);
  selectedId = $state<string | null>(null);
  views = $state<Record<string, TaskView>>({});

  /** The list's copy is the live one; a task too old for the list still has its own. */
  selected = $derived<AiTaskSummary | undefined>(this.list.find((t) => t.id === this.selectedId) ?? (this.selectedId ? (this.views[this.selectedId]?.task ?? undefined) : undefined));
  /** Tool permission requests waiting for a person (the nav badge). */
  pendingPermissions = $derived(this.list.reduce((n, t) => n + (isFinal(t.status) ? 0 : t.pendingPermissions), 0));

  private attached = false;
  /** Tasks with a catch-up request under way, and those that need another one after it. */
  private readonly syncing = new Set<string>();
  private readonly again = new Set<string>();
  /** Bumped on sign-out, so that answers to requests made before it are dropped. */
  private generation = 0;

  attach(): void {
    if (!this.attached) {
      this.attached = true;
      live.on((event) => this.onEvent(event));
      live.onResync(() => void this.resync());
    }
    void this.refresh();
  }

  /** Forget everything (sign-out). */
  reset(): void {
    this.generation++;
    this.list = [];
    this.loaded = false;
    this.listError = null;
    this.selectedId = null;
    this.views = {};
    this.syncing.clear();
    this.again.clear();
  }

  async refresh(): Promise<void> {
    const generation = this.generation;
    try {
      const page = await api.aiTasks({ limit: LIST_LIMIT });
      if (generation !== this.generation) return;
      // Keep a row that the socket made newer while the list was on its way.
      this.list = page.items.map((t) => {
        const known = this.list.find((k) => k.id === t.id);
        return known && !isNewer(t, known) ? known : t;
      });
      this.listError = null;
    } catch (err) {
      if (generation === this.generation) this.listError = describeError(err);
    } finally {
      if (generation === this.generation) this.loaded = true;
    }
  }

  /** Dispatch a prompt here; its events follow on the `ai-tasks` topic. */
  async create(req: AiTaskCreate): Promise<AiTask> {
    const task = await api.createAiTask(req);
    this.upsert(toSummary(task));
    this.selectedId = task.id;
    if (!this.views[task.id]) {
      this.track(task.id, { task, stream: emptyStream(), loading: false, error: null });
      void this.catchUp(task.id);
    }
    return task;
  }

  async select(id: string): Promise<void> {
    this.selectedId = id;
    const view = this.views[id];
    if (view && !view.error) return;
    this.track(id, { task: view?.task ?? null, stream: view?.stream ?? emptyStream(), loading: true, error: null });
    await Promise.all([this.fetchTask(id), this.catchUp(id)]);
    const loaded = this.views[id];
    if (loaded) loaded.loading = false;
  }

  async cancel(id: string): Promise<void> {
    this.upsert(toSummary(await api.cancelAiTask(id)));
  }

  async decide(taskId: string, permissionId: string, decision: PermissionDecision): Promise<void> {
    const p = await api.decidePermission(taskId, permissionId, decision);
    const task = this.views[taskId]?.task;
    if (task) upsertPermission(task.permissions, p);
  }

  private onEvent(event: FerryEvent): void {
    switch (event.type) {
      case 'ai-task.updated':
        this.upsert(event.data.task);
        break;
      case 'ai-task.event':
        this.receive(event.data.taskId, event.data.event);
        break;
      case 'ai-task.permission': {
        const task = this.views[event.data.permission.taskId]?.task;
        if (task) upsertPermission(task.permissions, event.data.permission);
        break;
      }
    }
  }

  private receive(taskId: string, event: AiTaskEvent): void {
    const view = this.views[taskId];
    if (!view) return;
    // Out of order: something came before it that we do not have (or a catch-up is still on its way).
    if (!this.absorb(view, [event])) void this.catchUp(taskId);
  }

  /** Add events to a view; permission events also update its requests. False at a gap. */
  private absorb(view: TaskView, items: readonly AiTaskEvent[]): boolean {
    const complete = appendEvents(view.stream, items);
    if (view.task) {
      for (const e of items) {
        if (e.type !== 'permission-request' && e.type !== 'permission-decision') continue;
        const p = (e.data as { permission?: AiTask['permissions'][number] }).permission;
        if (p) upsertPermission(view.task.permissions, p);
      }
    }
    return complete;
  }

  /** Ask the daemon for every event after the newest one held, until there are no more. */
  private async catchUp(id: string): Promise<void> {
    if (this.syncing.has(id)) {
      this.again.add(id);
      return;
    }
    const generation = this.generation;
    this.syncing.add(id);
    try {
      do {
        this.again.delete(id);
        for (;;) {
          const since = this.views[id]?.stream.lastSeq;
          if (since === undefined) return;
          const page = await api.aiTaskEvents(id, { since, limit: PAGE });
          const view = this.views[id];
          if (!view || generation !== this.generation) return;
          if (!this.absorb(view, page.items)) this.again.add(id);
          if (page.items.length < PAGE) break;
        }
      } while (this.again.has(id));
    } catch (err) {
      const view = this.views[id];
      if (view && generation === this.generation) view.error = describeError(err);
    } finally {
      if (generation === this.generation) {
        this.syncing.delete(id);
        this.again.delete(id);
      }
    }
  }

  /** Read the daemon's copy of a task: its result and requests, which the summary leaves out. */
  private async fetchTask(id: string): Promise<void> {
    const generation = this.generation;
    try {
      const task = await api.aiTask(id);
      const view = this.views[id];
      if (!view || generation !== this.generation) return;
      // A decision that arrived while this was on its way is newer than the copy.
      for (const p of view.task?.permissions ?? []) upsertPermission(task.permissions, p);
      view.task = task;
      this.upsert(toSummary(task));
    } catch (err) {
      const view = this.views[id];
      if (view && generation === this.generation) view.error = describeError(err);
    }
  }

  /** After a reconnect: the list, and the events and requests of every task on screen, may have gaps. */
  private async resync(): Promise<void> {
    await this.refresh();
    for (const [id, view] of Object.entries(this.views)) {
      void this.catchUp(id);
      if (!view.task || !isFinal(view.task.status)) void this.fetchTask(id);
    }
  }

  private upsert(row: AiTaskSummary): void {
    const index = this.list.findIndex((t) => t.id === row.id);
    const before = index >= 0 ? this.list[index] : undefined;
    if (before && !isNewer(row, before)) return;
    if (before) this.list[index] = row;
    else this.list = [row, ...this.list].slice(0, LIST_LIMIT * 2);
    // Ended: its result (and the requests the end expired) are in the daemon's full copy.
    const view = this.views[row.id];
    if (view && isFinal(row.status) && !(view.task && isFinal(view.task.status))) void this.fetchTask(row.id);
  }

  private track(id: string, view: TaskView): void {
    this.views[id] = view;
    const ids = Object.keys(this.views);
    for (const old of ids.slice(0, Math.max(0, ids.length - MAX_TRACKED))) {
      if (old !== this.selectedId) delete this.views[old];
    }
  }
}

export const aiTasks = new AiTasksStore();
