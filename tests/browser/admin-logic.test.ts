import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../server/protocol/index.js';

// admin/tsconfig.json extends the file SvelteKit generates; without it nothing under admin/ compiles.
if (!fs.existsSync(new URL('../../admin/.svelte-kit/tsconfig.json', import.meta.url))) {
  throw new Error('admin/.svelte-kit is missing: run `npm run build:admin` (or `npm run typecheck`) first');
}
const { CommandLineError, splitCommandLine } = await import('../../admin/src/lib/argv.js');
const { MAX_CHARS, appendOutput, emptyOutput, mergeLive, outputFromJob } = await import('../../admin/src/lib/jobs/output.js');

describe('splitCommandLine (the Jobs form, without a shell)', () => {
  it('splits on any run of whitespace', () => {
    expect(splitCommandLine('  ls   -la\t/tmp \n')).toEqual(['ls', '-la', '/tmp']);
  });

  it('keeps single-quoted text literally, backslashes and all', () => {
    expect(splitCommandLine(`echo 'a  b' 'c\\d' '$HOME'`)).toEqual(['echo', 'a  b', 'c\\d', '$HOME']);
  });

  it('allows \\" and \\\\ inside double quotes and keeps other backslashes', () => {
    expect(splitCommandLine(`printf "say \\"hi\\" \\\\ \\n"`)).toEqual(['printf', 'say "hi" \\ \\n']);
  });

  it('joins quoted and unquoted parts of one word and keeps empty quoted words', () => {
    expect(splitCommandLine(`grep --label="my file" '' x`)).toEqual(['grep', '--label=my file', '', 'x']);
  });

  it('escapes one character with a backslash outside quotes', () => {
    expect(splitCommandLine('touch a\\ b')).toEqual(['touch', 'a b']);
  });

  it('treats shell syntax as plain words', () => {
    expect(splitCommandLine('echo $HOME | wc > out')).toEqual(['echo', '$HOME', '|', 'wc', '>', 'out']);
  });

  it('returns nothing for an empty line', () => {
    expect(splitCommandLine('   ')).toEqual([]);
  });

  it('rejects an unclosed quote or a trailing backslash', () => {
    expect(() => splitCommandLine(`echo "oops`)).toThrow(CommandLineError);
    expect(() => splitCommandLine(`echo 'oops`)).toThrow(/single quote is never closed/);
    expect(() => splitCommandLine('echo oops\\')).toThrow(/lone backslash/);
  });
});

function job(stdout: string, stderr = ''): Job {
  return {
    id: 'j1', argv: ['x'], shell: null, cwd: '/', principal: 'local', status: 'running', exitCode: null, signal: null,
    timeoutMs: 1000, createdAt: '2026-01-01T00:00:00.000Z', endedAt: null, durationMs: null, error: null,
    stdout, stderr, stdoutTruncated: false, stderrTruncated: false,
  };
}

describe('job output in the admin', () => {
  it('merges consecutive pieces of one stream and keeps the interleaving of two', () => {
    const out = emptyOutput(true);
    appendOutput(out, 'stdout', 'a');
    appendOutput(out, 'stdout', 'b');
    appendOutput(out, 'stderr', 'E');
    appendOutput(out, 'stdout', 'c');
    expect(out.chunks).toEqual([
      { stream: 'stdout', data: 'ab' },
      { stream: 'stderr', data: 'E' },
      { stream: 'stdout', data: 'c' },
    ]);
    expect(out.received).toEqual({ stdout: 3, stderr: 1 });
  });

  it('adds only the live output a snapshot does not already end with', () => {
    const snapshot = job('line1\nline2\n');
    const out = outputFromJob(snapshot);
    mergeLive(out, snapshot, [
      { stream: 'stdout', data: 'line2\n' },
      { stream: 'stdout', data: 'line3\n' },
    ]);
    expect(out.chunks.map((c) => c.data).join('')).toBe('line1\nline2\nline3\n');
  });

  it('adds all live output when the snapshot predates it', () => {
    const snapshot = job('');
    const out = outputFromJob(snapshot);
    mergeLive(out, snapshot, [{ stream: 'stderr', data: 'warn\n' }]);
    expect(out.chunks).toEqual([{ stream: 'stderr', data: 'warn\n' }]);
  });

  it('drops the oldest output past the page limit and says so', () => {
    const out = emptyOutput(true);
    appendOutput(out, 'stdout', 'x'.repeat(MAX_CHARS));
    appendOutput(out, 'stderr', 'tail');
    const text = out.chunks.map((c) => c.data).join('');
    expect(text.length).toBe(MAX_CHARS);
    expect(text.endsWith('tail')).toBe(true);
    expect(out.trimmed).toBe(true);
  });
});
