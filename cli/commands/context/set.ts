import type { Command } from 'commander';
import { action, type CliContext } from '../../command.js';
import { CliError } from '../../errors.js';
import { int, peerOption } from '../../options.js';
import { argOrStdin } from '../../lib/stdin.js';

interface SetOptions {
  string?: boolean;
  ttl?: number;
  ifVersion?: number;
  peer?: string;
}

export function registerContextSet(group: Command): void {
  group
    .command('set')
    .description('store a value under a key: JSON if it parses as JSON, else a string')
    .argument('<key>', 'the key')
    .argument('<value>', 'the value; - reads it from stdin')
    .option('-s, --string', 'store the value as a string even if it parses as JSON')
    .option('--ttl <seconds>', 'expire the entry after this many seconds', int(1))
    .option('--if-version <n>', 'write only if the current version is n (0: only if the key does not exist)', int(0))
    .addOption(peerOption())
    .addHelpText(
      'after',
      '\nExamples:\n  ferry context set build/status \'{"ok":true}\'\n  ferry context set note "hello" --ttl 3600\n  git rev-parse HEAD | ferry context set head -',
    )
    .action(action(set));
}

/** `42` → 42, `{"a":1}` → object, `hello` → "hello": JSON when it is JSON, a string otherwise. */
export function parseValue(text: string, forceString: boolean): unknown {
  if (forceString) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function set(ctx: CliContext, opts: SetOptions, key: string, value: string): Promise<number> {
  const text = await argOrStdin(value, 'value', 'echo 42 | ferry context set n -');
  const entry = await ctx
    .client(opts.peer)
    .contextPut(key, {
      value: parseValue(text, opts.string === true),
      ...(opts.ttl !== undefined && { ttlSeconds: opts.ttl }),
      ...(opts.ifVersion !== undefined && { ifVersion: opts.ifVersion }),
    })
    .catch((err: unknown) => {
      throw explainConflict(err, key, opts.ifVersion);
    });
  if (ctx.json) ctx.out.data(entry);
  else ctx.out.line(`${entry.version === 1 ? 'created' : 'updated'} ${key} (version ${entry.version})`);
  return 0;
}

/** A conflict is routine in compare-and-set: say what the version was, keep the daemon's code. */
function explainConflict(err: unknown, key: string, expected: number | undefined): unknown {
  const e = err as { code?: string; details?: unknown; message?: string };
  if (e.code !== 'version-conflict') return err;
  return new CliError('version-conflict', e.message ?? `${key} changed`, {
    details: e.details,
    hint:
      expected === 0
        ? `${key} already exists: read it with \`ferry context get ${key} --json\``
        : `someone else changed ${key}: read the current version with \`ferry context get ${key} --json\` and retry`,
  });
}
