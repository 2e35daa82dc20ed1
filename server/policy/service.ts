import type { Request } from 'express';
import type { Principal } from '../http/context.js';
import path from 'node:path';
import { ApiError } from '../http/errors.js';
import type { ExecRequest, JobSummary, Policy } from '../protocol/index.js';
import type { PeerStore } from '../store/peer-store.js';
import type { ApprovalRequest, ApprovalService } from './approvals.js';
import { checkCommand, createResolver, isCodeEnv } from './command-rules.js';

function denied(scope: string, reason: string): ApiError {
  return new ApiError('scope-denied', `not allowed for this peer: ${reason}`, { scope, reason });
}

const describe = (req: ExecRequest) => (req.argv ? req.argv.map((a) => (/[\s'"\\$`]/.test(a) ? JSON.stringify(a) : a)).join(' ') : req.shell!).slice(0, 300);

/**
 * What a peer may do, decided per request from its stored policy (so a PATCH applies at once).
 * The local admin has full rights: every check passes for a local principal.
 */
export class PolicyService {
  constructor(
    private readonly deps: {
      peers: PeerStore;
      approvals: ApprovalService;
      askTimeoutMs: number;
      homeDir: string;
    },
  ) {}

  private policyOf(p: Principal): Policy | null {
    if (p.kind === 'local') return null;
    const peer = this.deps.peers.byId(p.peer.nodeId);
    // Unpaired between the TLS check and now: nothing is allowed.
    if (!peer) throw new ApiError('peer-not-paired', 'this peer is no longer paired with this machine');
    return peer.policy;
  }

  context(req: Request, access: 'read' | 'write'): void {
    const policy = this.policyOf(req.principal!);
    if (policy && !policy.context[access]) throw denied(`context.${access}`, `context ${access} is off for this peer`);
  }

  /** Exec: mode, shell permission, command rules (through wrappers), env, and "ask" approvals. */
  async exec(req: Request, body: ExecRequest, signal?: AbortSignal): Promise<void> {
    const principal = req.principal!;
    const policy = this.policyOf(principal);
    if (!policy || principal.kind !== 'peer') return;
    const rules = policy.exec;
    if (rules.mode === 'off') throw denied('exec', 'running commands is off for this peer');
    if (rules.mode !== 'full') {
      // A peer that may only run `git` must not make `git` load its library or find another `git`.
      const bad = Object.keys(body.env ?? {}).filter(isCodeEnv);
      if (bad.length) throw denied('exec', `environment variable${bad.length > 1 ? 's' : ''} ${bad.join(', ')} can change which code runs`);
    }
    const cwd = body.cwd ?? this.deps.homeDir;
    const cmd = body.argv ? { argv: body.argv } : { shell: body.shell! };
    // Programs are looked up on THIS daemon's PATH, as the job will run them.
    const resolve = createResolver({ PATH: process.env.PATH ?? '', cwd });
    const verdict = checkCommand(rules, cmd, { resolve, env: body.env ?? {} });
    if (verdict.decision === 'deny') throw denied('exec', verdict.message);
    if (rules.mode !== 'full') {
      // Names are what rules speak of: a program given by path must be the one that name finds.
      for (const p of verdict.analysis.programs) {
        if (!p.path || p.remote) continue;
        const byName = resolve(p.name);
        if (!byName || byName !== resolve(p.path)) throw denied('exec', `${p.path} is not the ${p.name} on this machine's PATH: run programs by name`);
      }
    }
    if (verdict.decision === 'ask') {
      await this.askPerson(
        {
          peer: principal.peer,
          scope: 'exec',
          summary: `exec: ${describe(body)}`,
          detail: { argv: body.argv ?? null, shell: body.shell ?? null, cwd, reason: verdict.message },
          programs: verdict.programs,
        },
        signal,
      );
    }
  }

  /**
   * Where a caller may read or write files: the roots to check a path against. The local admin may
   * go anywhere (but the data dir, which every check refuses); a peer only where its `files` scope
   * says — reads within its read or write roots, writes within its write roots — and in "ask" mode
   * only once a person here has approved this very operation.
   */
  async fileRoots(req: { principal?: Principal | undefined }, access: 'read' | 'write', requested: string, signal?: AbortSignal): Promise<string[]> {
    const principal = req.principal!;
    const policy = this.policyOf(principal);
    if (!policy || principal.kind !== 'peer') return ['/'];
    const files = policy.files;
    if (files.mode === 'off') throw denied('files', 'file access is off for this peer');
    if (files.mode === 'ask') {
      await this.askPerson({ peer: principal.peer, scope: `files.${access}`, summary: `files: ${access} ${requested}`, detail: { access, path: requested }, programs: [] }, signal);
      return ['/'];
    }
    const expand = (r: string) => (r === '~' ? this.deps.homeDir : r.startsWith('~/') ? path.join(this.deps.homeDir, r.slice(2)) : r);
    const roots = (access === 'read' ? [...files.read, ...files.write] : files.write).map(expand);
    if (roots.length === 0) throw denied(`files.${access}`, `no ${access} roots are set for this peer`);
    return roots;
  }

  /**
   * May this caller dispatch an AI task here? Off: no. Ask: a person here approves this very
   * task first. Full: yes. (Its tool permissions are asked of the dispatcher as the agent runs.)
   */
  async aiTask(req: Request, body: { agent: string; prompt: string; cwd?: string | undefined }, signal?: AbortSignal): Promise<void> {
    const principal = req.principal!;
    const policy = this.policyOf(principal);
    if (!policy || principal.kind !== 'peer') return;
    if (policy.aiTasks === 'off') throw denied('ai-tasks', 'AI tasks are off for this peer');
    if (policy.aiTasks === 'ask') {
      const title = body.prompt.trim().split('\n', 1)[0]!.slice(0, 160);
      await this.askPerson(
        {
          peer: principal.peer,
          scope: 'ai-tasks',
          summary: `AI task (${body.agent}): ${title}`,
          detail: { agent: body.agent, cwd: body.cwd ?? this.deps.homeDir, prompt: body.prompt.slice(0, 4000) },
          programs: [],
        },
        signal,
      );
    }
  }

  /** "Ask": wait for a person here; anything but an approval is a `scope-denied` for the request's scope. */
  private async askPerson(req: ApprovalRequest, signal?: AbortSignal): Promise<void> {
    const outcome = await this.deps.approvals.ask(req, this.deps.askTimeoutMs, signal);
    if (outcome !== 'approved') throw denied(req.scope, outcome === 'denied' ? 'a person on this machine denied it' : 'nobody approved it in time');
  }

  /** May this caller send us messages (and acknowledgements)? */
  messages(req: Request): void {
    const policy = this.policyOf(req.principal!);
    if (policy && !policy.messages) throw denied('messages', 'messages are off for this peer');
  }

  /** Peers see and touch only the jobs (and AI tasks) they started. */
  canSeeJob(req: Request, job: Pick<JobSummary, 'principal'>): boolean {
    const p = req.principal!;
    return p.kind === 'local' || job.principal === p.id;
  }

  /** "Remember" on an approved exec: its programs run without asking from now on. */
  remember(nodeId: string, programs: string[]): void {
    const peer = this.deps.peers.byId(nodeId);
    if (!peer || programs.length === 0) return;
    const allow = [...new Set([...peer.policy.exec.allow, ...programs])];
    this.deps.peers.setPolicy(nodeId, { ...peer.policy, exec: { ...peer.policy.exec, allow } });
  }
}
