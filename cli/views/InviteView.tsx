import { Box, Text } from 'ink';
import { formatTime } from './format.js';
import { dialLines, minutesLeft, spaced, type InviteInfo } from './pairing.js';

/** The invite code, big and clear, with where the other machine should dial. */
export function InviteView({ info }: { info: InviteInfo }) {
  const w = info.window;
  return (
    <Box>
      <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={2} paddingY={1}>
        <Text>
          <Text dimColor>Invite code </Text> <Text bold color="cyan">{spaced(w.code)}</Text>
        </Text>
        <Text dimColor>
          expires {formatTime(w.expiresAt)} (in {minutesLeft(w.expiresAt)} min) · one use · {w.attemptsLeft} tries
        </Text>
        <Box marginTop={1} flexDirection="column">
          <Text>On the other machine, run:</Text>
          {dialLines(info).map((l) => (
            <Text key={l} color="green">
              {'  '}
              {l}
            </Text>
          ))}
          <Text>and type the invite code when it asks.</Text>
        </Box>
      </Box>
    </Box>
  );
}

