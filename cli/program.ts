import { Command, CommanderError, Option } from 'commander';
import { rememberArgs } from './command.js';
import { usageError } from './errors.js';
import { Output } from './output.js';
import { cliVersion } from './version.js';
import { registerInit } from './commands/init.js';
import { registerStart } from './commands/start.js';
import { registerStop } from './commands/stop.js';
import { registerStatus } from './commands/status.js';
import { registerDoctor } from './commands/doctor.js';
import { registerContext } from './commands/context/index.js';
import { registerExec } from './commands/exec.js';
import { registerAi } from './commands/ai/index.js';
import { registerJobs } from './commands/jobs/index.js';
import { registerLogs } from './commands/logs.js';
import { registerKey } from './commands/key/index.js';
import { registerMcp } from './commands/mcp.js';
import { registerPair } from './commands/pair/index.js';
import { registerPeers, registerUnpair } from './commands/peers/index.js';
import { registerApprovals } from './commands/approvals/index.js';
import { registerSend } from './commands/send.js';
import { registerPull } from './commands/pull.js';
import { registerLs } from './commands/ls.js';
import { registerTransfers } from './commands/transfers/index.js';
import { registerMsg } from './commands/msg/index.js';
import { registerSession } from './commands/session/index.js';

/**
 * The command tree. Each command registers itself from its own module through `parent.command()`,
 * so it inherits the settings made here (error handling, output) before it is added.
 */
export function buildProgram(argv: readonly string[] = []): Command {
  const program = new Command('ferry')
    .description('Work across the machines on your LAN through the local Ferry daemon.')
    .version(cliVersion(), '-V, --version', 'print the version')
    .addOption(new Option('--home <dir>', 'data dir of the daemon (default: $FERRY_HOME, else the platform convention)'))
    .addOption(new Option('--json', 'print one JSON document on stdout (errors too, as {"error": {...}})'))
    .addOption(new Option('--no-color', 'no colours (also: NO_COLOR=1, or stdout not a terminal)'))
    .helpCommand('help [command]', 'show help for a command')
    .showSuggestionAfterError()
    .exitOverride();

  program.configureOutput({
    // In --json mode a usage error becomes a JSON error document (printed by runCli), not prose.
    outputError: (str, write) => {
      if (!wantsJson(argv)) write(str);
    },
  });

  registerInit(program);
  registerStart(program);
  registerStop(program);
  registerStatus(program);
  registerDoctor(program);
  registerContext(program);
  registerExec(program);
  registerJobs(program);
  registerAi(program);
  registerSend(program);
  registerPull(program);
  registerLs(program);
  registerTransfers(program);
  registerMsg(program);
  registerPair(program);
  registerPeers(program);
  registerUnpair(program);
  registerApprovals(program);
  registerSession(program);
  registerLogs(program);
  registerKey(program);
  registerMcp(program);
  return program;
}

/** Run the CLI on user arguments; resolve to the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram(argv);
  if (argv.length === 0) {
    // `ferry` alone: help on stdout and success (the live TUI arrives in a later version).
    program.outputHelp();
    return 0;
  }
  rememberArgs(program, argv);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // --help, `help` and --version end parsing the same way errors do; they are successes.
    if (err.exitCode === 0) return 0;
    const json = wantsJson(argv);
    if (json) {
      const message =
        err.code === 'commander.help' ? `\`${`ferry ${commandPath(argv)}`.trim()}\` needs a command` : err.message.replace(/^error: /, '');
      return new Output({ json }).fail(usageError(message));
    }
    // A group named without its subcommand (`ferry context`): commander printed its help.
    if (err.code === 'commander.help') return 2;
    // commander already printed its message (and a suggestion); add the way forward.
    let words = commandPath(argv);
    if (err.code === 'commander.unknownCommand') words = words.replace(/[^ ]+ $/, ''); // the typo itself
    const hint =
      words.startsWith('exec') && err.code === 'commander.unknownOption'
        ? 'options for the command being run go after --, e.g. `ferry exec -- ls -la`'
        : `run \`ferry ${words}--help\` for usage`;
    process.stderr.write(`hint: ${hint}\n`);
    return 2;
  }
  return Number(process.exitCode ?? 0);
}

/** `--json` before a `--` separator (after it, the flag belongs to a command being run). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/** The subcommand words the user typed, for the hint ("context set "); global options skipped. */
function commandPath(argv: readonly string[]): string {
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '--home') i++; // its value is not a command word
    else if (!a.startsWith('-')) words.push(a);
    else if (words.length > 0) break;
  }
  return words.map((w) => `${w} `).join('');
}
