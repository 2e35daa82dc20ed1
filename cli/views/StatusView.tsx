import { Box, Text } from 'ink';
import type { PeerStatus, Status } from '../../server/protocol/index.js';
import { formatBytes, formatDuration } from './format.js';

/** AI tasks in one line: load, and the agents this machine can run. */
function aiTasksLine(a: Status['aiTasks']): string {
  const agents = (Object.keys(a.agents) as (keyof typeof a.agents)[]).filter((k) => a.agents[k]);
  return `${a.running} running, ${a.queued} queued (max ${a.maxConcurrent}); agents: ${agents.length ? agents.join(', ') : 'none installed'}`;
}

/** The facts `ferry status` shows, in order: shared by the Ink box and the plain output. */
export function statusRows(s: Status): [string, string][] {
  return [
    ['node id', s.nodeId],
    ['version', s.version],
    ['uptime', `${formatDuration(s.uptimeSeconds)} (pid ${s.pid})`],
    ['listening', `${s.listen.host}:${s.listen.port}`],
    ['peers', s.peerListen ? `${s.peerListen.host}:${s.peerListen.port} (mutual TLS)` : 'off'],
    ['admin', s.adminUrl],
    ['data dir', s.dataDir],
    ['jobs', `${s.jobs.running} running (max ${s.jobs.maxConcurrent})`],
    ['ai tasks', aiTasksLine(s.aiTasks)],
    ['context', `${s.context.entries} of ${s.context.maxEntries} entries`],
    ['database', `schema v${s.db.schemaVersion}, ${formatBytes(s.db.sizeBytes)}`],
    ['runtime', `node ${s.runtime.node} ${s.runtime.platform}/${s.runtime.arch}, ${formatBytes(s.runtime.rssBytes)} rss`],
  ];
}

export function statusPlain(s: Status): string[] {
  const state = s.draining ? 'draining' : 'running';
  return [`${s.name}: ${state}`, ...statusRows(s).map(([label, value]) => `  ${label.padEnd(10)} ${value}`)];
}

/** What a paired machine shares about itself. */
export function peerStatusRows(s: PeerStatus): [string, string][] {
  return [
    ['node id', s.nodeId],
    ['version', s.version],
    ['uptime', formatDuration(s.uptimeSeconds)],
    ['jobs', `${s.jobs.running} running (max ${s.jobs.maxConcurrent})`],
    ['ai tasks', aiTasksLine(s.aiTasks)],
  ];
}

export function peerStatusPlain(s: PeerStatus): string[] {
  return [`${s.name}: ${s.draining ? 'draining' : 'running'}`, ...peerStatusRows(s).map(([label, value]) => `  ${label.padEnd(10)} ${value}`)];
}

export function StatusView({ status }: { status: Status }) {
  return <StatusBox name={status.name} draining={status.draining} rows={statusRows(status)} />;
}

export function PeerStatusView({ status }: { status: PeerStatus }) {
  return <StatusBox name={status.name} draining={status.draining} rows={peerStatusRows(status)} />;
}

function StatusBox({ name, draining, rows }: { name: string; draining: boolean; rows: [string, string][] }) {
  const color = draining ? 'yellow' : 'green';
  // The outer row lets the box shrink to its content instead of spanning the terminal.
  return (
    <Box>
      <Box flexDirection="column" borderStyle="round" borderColor={color} paddingX={1}>
        <Text>
          <Text bold>{name}</Text> <Text color={color}>● {draining ? 'draining' : 'running'}</Text>
        </Text>
        {rows.map(([label, value]) => (
          <Box key={label}>
            <Box width={11} flexShrink={0}>
              <Text dimColor>{label}</Text>
            </Box>
            <Text color={label === 'admin' ? 'cyan' : undefined}>{value}</Text>
          </Box>
        ))}
      </Box>
    </Box>
  );
}
