import { Box, Text } from 'ink';
import type { Transfer } from '../../server/protocol/index.js';
import { formatBytes } from './format.js';
import { bar, endNote, percent, progressText, route, summary } from './transfers.js';

export interface TransferProgressProps {
  transfer: Transfer;
  /** Nothing moved for a while: the peer may be asking its owner first. */
  waitingFor?: string | undefined;
  /** Ctrl-C was pressed: the cancel is on its way. */
  canceling?: boolean | undefined;
  /** Width of the bar, in cells. */
  width?: number | undefined;
}

/** One transfer as it happens, and how it ended (the last frame stays on screen). */
export function TransferProgress({ transfer: t, waitingFor, canceling, width = 30 }: TransferProgressProps) {
  if (t.state === 'done') {
    return (
      <Box flexDirection="column">
        <Text>
          <Text color="green">✔</Text> {t.direction === 'push' ? 'sent' : 'fetched'} <Text bold>{route(t)}</Text>
        </Text>
        <Text>
          {'  '}
          {summary(t)}
          {t.attempts > 1 ? `, ${t.attempts} attempts` : ''}
        </Text>
        <Text>
          {'  '}
          <Text dimColor>sha256</Text> {t.sha256}
        </Text>
      </Box>
    );
  }
  if (t.state !== 'running') {
    return (
      <Box flexDirection="column">
        <Text>
          <Text color={t.state === 'failed' ? 'red' : 'yellow'}>{t.state === 'failed' ? '✗' : '■'}</Text> <Text bold>{route(t)}</Text>
        </Text>
        <Text>
          {'  '}
          {endNote(t)}
        </Text>
      </Box>
    );
  }
  const pct = percent(t);
  return (
    <Box flexDirection="column">
      <Text>
        <Text color="cyan">{t.direction === 'push' ? '⇡' : '⇣'}</Text> {t.direction === 'push' ? 'sending' : 'fetching'} <Text bold>{route(t)}</Text>{' '}
        <Text dimColor>(transfer {t.id})</Text>
      </Text>
      <Text>
        {'  '}
        {pct !== null ? <Text color="cyan">{bar(pct / 100, width)} </Text> : null}
        {progressText(t)}
      </Text>
      {t.attempts > 1 ? <Text color="yellow">{`  retrying (${t.attempts})… the link broke; resuming from ${formatBytes(t.bytes)}`}</Text> : null}
      {waitingFor && t.bytes === 0 ? <Text dimColor>{`  waiting for ${waitingFor} (if its policy asks first, its owner answers with \`ferry approvals\` there)`}</Text> : null}
      {canceling ? <Text color="yellow">  canceling… (Ctrl-C again to stop waiting)</Text> : null}
    </Box>
  );
}
