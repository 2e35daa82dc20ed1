import { Box, Text } from 'ink';
import { Spinner } from './Spinner.js';
import { startedLines, type StartedInfo } from './started-lines.js';

export type { StartedInfo } from './started-lines.js';

export function DaemonStarted({ info }: { info: StartedInfo }) {
  return (
    <Box flexDirection="column">
      <Text>
        <Text color="green">✔</Text> Ferry daemon running{info.detached ? ' in the background' : ''}
      </Text>
      {startedLines(info).map(([label, value]) => (
        <Text key={label}>
          {'  '}
          <Text dimColor>{label.padEnd(9)}</Text>
          {label === 'admin' ? <Text color="cyan">{value}</Text> : value}
        </Text>
      ))}
      <Text dimColor>{info.detached ? '  Stop it with `ferry stop`.' : '  Press Ctrl-C to stop.'}</Text>
    </Box>
  );
}

/**
 * `ferry start --detach`: a spinner while it waits, then where the daemon is; nothing once it
 * failed (the error, printed after, takes the spinner's place).
 */
export function DetachProgress({ state }: { state: 'waiting' | 'failed' | StartedInfo }) {
  if (state === 'failed') return null;
  return state === 'waiting' ? <Spinner label="Starting the Ferry daemon…" /> : <DaemonStarted info={state} />;
}
