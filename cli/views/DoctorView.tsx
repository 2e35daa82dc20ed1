import { Box, Text } from 'ink';
import type { Check, CheckStatus } from '../lib/doctor.js';

const MARK: Record<CheckStatus, { symbol: string; color: string }> = {
  pass: { symbol: '✔', color: 'green' },
  warn: { symbol: '!', color: 'yellow' },
  fail: { symbol: '✘', color: 'red' },
};

export function doctorSummary(checks: Check[]): string {
  const count = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
  const fails = count('fail');
  const warns = count('warn');
  if (fails) return `${fails} problem${fails > 1 ? 's' : ''} to fix${warns ? `, ${warns} warning${warns > 1 ? 's' : ''}` : ''}`;
  return warns ? `no problems, ${warns} warning${warns > 1 ? 's' : ''}` : 'all good';
}

export function doctorPlain(checks: Check[]): string[] {
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${c.status.padEnd(4)}  ${c.title.padEnd(15)} ${c.message}`);
    if (c.hint && c.status !== 'pass') lines.push(`${' '.repeat(22)}→ ${c.hint}`);
  }
  lines.push('', doctorSummary(checks));
  return lines;
}

export function DoctorView({ checks }: { checks: Check[] }) {
  const failed = checks.some((c) => c.status === 'fail');
  return (
    <Box flexDirection="column">
      {checks.map((c) => (
        <Box key={c.id} flexDirection="column">
          <Box>
            <Box width={2} flexShrink={0}>
              <Text color={MARK[c.status].color}>{MARK[c.status].symbol}</Text>
            </Box>
            <Box width={16} flexShrink={0}>
              <Text bold>{c.title}</Text>
            </Box>
            <Text>{c.message}</Text>
          </Box>
          {c.hint && c.status !== 'pass' ? (
            <Box marginLeft={18}>
              <Text dimColor>→ {c.hint}</Text>
            </Box>
          ) : null}
        </Box>
      ))}
      <Box marginTop={1}>
        <Text color={failed ? 'red' : 'green'}>{doctorSummary(checks)}</Text>
      </Box>
    </Box>
  );
}
