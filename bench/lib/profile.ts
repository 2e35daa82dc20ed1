import fs from 'node:fs';
import path from 'node:path';

/** The parts of a V8 .cpuprofile (written by `node --cpu-prof`) that a self-time summary needs. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A span of time on the monotonic clock, µs: the same clock V8 stamps profiles with. */
export interface Window {
  fromUs: number;
  toUs: number;
}
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

export interface ProfileSummary {
  label: string;
  file: string;
  /** Only the measured runs were counted (start-up, seeding and warm-up left out). */
  windowed: boolean;
  /** Sampled time that was not idle, ms. */
  busyMs: number;
  /** Where the busy time went, by package or Ferry file (node internals charged to their caller), most first. */
  byPackage: { name: string; ms: number; pct: number }[];
  /** Functions with the most self time, most first. */
  byFunction: { name: string; where: string; ms: number; pct: number }[];
}

/** node_modules/<pkg>, Ferry's own dist/<file>, node:<module>, or V8's (garbage collector)/(program). */
function bucket(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return `ferry ${url.slice(dist + '/dist/'.length)}`;
  if (url.startsWith('node:')) return url.startsWith('node:internal/') ? `node:${url.split('/')[1]}` : url;
  return path.basename(url);
}

function shortWhere(url: string, line: number): string {
  if (!url) return '';
  const nm = url.lastIndexOf('/node_modules/');
  const rel = nm >= 0 ? url.slice(nm + '/node_modules/'.length) : url.replace(/^.*\/dist\//, '');
  return `${rel}:${line + 1}`;
}

export function summarizeProfile(file: string, label: string, window?: Window, top = 12): ProfileSummary {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  // timeDeltas[i] is the time since the previous sample: charge it to sample i's function.
  let at = p.startTime;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    at += dt;
    if (window && (at < window.fromUs || at > window.toUs)) return;
    self.set(id, (self.get(id) ?? 0) + dt);
  });

  // Charge node's own internals (http, streams, events, native calls) to the nearest caller that
  // is a package or Ferry's code: "express wrote the response" says more than "writev".
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const owner = (id: number): string => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const { url } = byId.get(cur)!.callFrame;
      if (url.includes('/node_modules/') || url.includes('/dist/')) return bucket(url, '');
    }
    const { functionName, url } = byId.get(id)!.callFrame;
    return bucket(url, functionName);
  };

  const pkgs = new Map<string, number>();
  const fns = new Map<string, { name: string; where: string; us: number }>();
  let busyUs = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    busyUs += us;
    const b = owner(id);
    pkgs.set(b, (pkgs.get(b) ?? 0) + us);
    const name = functionName || '(anonymous)';
    const key = `${name}@${url}:${lineNumber}`;
    const f = fns.get(key) ?? { name, where: shortWhere(url, lineNumber), us: 0 };
    f.us += us;
    fns.set(key, f);
  }
  const pct = (us: number) => Math.round((us / busyUs) * 1000) / 10;
  const ms = (us: number) => Math.round(us / 100) / 10;
  return {
    label,
    file,
    windowed: window !== undefined,
    busyMs: ms(busyUs),
    byPackage: [...pkgs].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, ms: ms(us), pct: pct(us) })),
    byFunction: [...fns.values()].sort((a, b) => b.us - a.us).slice(0, top).map((f) => ({ name: f.name, where: f.where, ms: ms(f.us), pct: pct(f.us) })),
  };
}

/** The newest .cpuprofile in a directory (the daemon writes one when it exits). */
export function newestProfile(dir: string): string | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(dir, f));
  return files.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
}

export function formatProfile(s: ProfileSummary): string {
  const out = [`\nCPU profile of the daemon, ${s.label}: ${s.busyMs} ms busy ${s.windowed ? 'during the measured runs' : 'over its whole life'} (${path.relative(process.cwd(), s.file)})`, '  time by package or Ferry file (node internals charged to the caller):'];
  for (const p of s.byPackage) out.push(`    ${String(p.pct).padStart(5)}%  ${p.name}`);
  out.push('  self time by function:');
  for (const f of s.byFunction) out.push(`    ${String(f.pct).padStart(5)}%  ${f.name}  ${f.where}`);
  return out.join('\n');
}

export interface ProfileColumn {
  label: string;
  summary: ProfileSummary;
  /** Requests served while the profile's window was open: the divisor for µs per request. */
  requests: number;
}

/**
 * Servers' profiles side by side, as µs of CPU per request by owner (package or Ferry file):
 * what each layer costs, and which layers only one side has. Rows under `minUs` everywhere are left out.
 */
export function compareProfiles(title: string, cols: ProfileColumn[], minUs = 1): { text: string; rows: { owner: string; us: Record<string, number> }[] } {
  const perReq = (c: ProfileColumn, ms: number) => (ms * 1000) / c.requests;
  const names = [...new Set(cols.flatMap((c) => c.summary.byPackage.map((p) => p.name)))];
  const value = (c: ProfileColumn, name: string) => perReq(c, c.summary.byPackage.find((p) => p.name === name)?.ms ?? 0);
  const last = cols[cols.length - 1]!;
  const usOf = (pick: (c: ProfileColumn) => number) => Object.fromEntries(cols.map((c) => [c.label, Math.round(pick(c) * 10) / 10]));
  const rows = [
    { owner: 'total (busy)', us: usOf((c) => perReq(c, c.summary.busyMs)) },
    ...names
      .filter((n) => cols.some((c) => value(c, n) >= minUs))
      .sort((a, b) => value(last, b) - value(last, a))
      .map((n) => ({ owner: n, us: usOf((c) => value(c, n)) })),
  ];
  const head = 'µs of CPU per request, by owner';
  const width = Math.max(head.length, ...rows.map((r) => r.owner.length));
  const lines = [`\n${title}`, `  ${head.padEnd(width)}  ${cols.map((c) => c.label.padStart(8)).join('  ')}`];
  for (const r of rows) lines.push(`  ${r.owner.padEnd(width)}  ${cols.map((c) => r.us[c.label]!.toFixed(1).padStart(8)).join('  ')}`);
  return { text: lines.join('\n'), rows };
}
