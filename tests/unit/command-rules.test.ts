import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_DENY,
  DEFAULT_DENY_REASONS,
  analyzeCommand,
  checkCommand,
  createResolver,
  isCodeEnv,
  matchesRule,
  type Command,
  type ExecRules,
  type Resolve,
} from '../../server/policy/command-rules.js';

// The daemon injects a resolver that reads PATH; most tests use this fixed map so they say the
// same thing on every machine. The "real resolver" block below uses real symlinks instead.
const FAKE_BIN: Record<string, string> = {
  rm: '/usr/bin/rm',
  ls: '/usr/bin/ls',
  git: '/usr/bin/git',
  echo: '/usr/bin/echo',
  sudo: '/usr/bin/sudo',
  env: '/usr/bin/env',
  sh: '/usr/bin/dash',
  bash: '/usr/bin/bash',
};
const fakeResolve: Resolve = (p) => (p.includes('/') ? (Object.values(FAKE_BIN).includes(p) ? p : null) : (FAKE_BIN[p] ?? null));

const rules = (over: Partial<ExecRules>): ExecRules => ({ mode: 'ask', allow: [], deny: [], shell: 'allow', ...over });
const FULL_DENY_RM = rules({ mode: 'full', deny: ['rm'] });
const COLLABORATOR = rules({ mode: 'ask', deny: [...DEFAULT_DENY], allow: ['echo', 'grep', 'git', 'ls', 'printf', 'true', 'cat', 'command'] });

const shell = (line: string): Command => ({ shell: line });
const argv = (...a: string[]): Command => ({ argv: a });
const names = (cmd: Command, resolve: Resolve = fakeResolve) => analyzeCommand(cmd, { resolve }).programs.map((p) => p.name);

describe('a denied rm is denied in every form', () => {
  const lines = [
    'rm x', '/bin/rm x', '/usr/bin/rm x', './rm x', '"rm" x', "'rm' x", 'r\\m x', '"r"m x', "$'rm' x", "$'\\x72m' x",
    'sudo rm x', 'sudo -u root -E rm x', 'sudo -Eu root rm x', 'sudo -- rm x', 'sudo FOO=1 rm x', 'doas rm x', 'doas -u root rm x',
    'env rm x', 'env -i FOO=1 rm x', "env -S 'rm -rf x'", "env --split-string='rm x'", "env -iS'rm x'",
    'nice rm x', 'nice -n 5 rm x', 'nice -5 rm x', 'nice --adjustment=5 rm x', 'nohup rm x', 'timeout 5 rm x', 'timeout -s KILL 5 rm x',
    'timeout --signal=KILL -k 1 5 rm x', 'xargs rm', 'xargs -n1 rm', 'xargs -0 -I{} rm {}', "sh -c 'rm x'", 'bash -lc "rm x"',
    "bash -ec 'true; rm x'", "zsh -c 'echo a | rm x'", `sh -c "sh -c 'rm x'"`, "bash -o pipefail -c 'rm x'", "bash --norc -c 'rm x'",
    "dash -c -- 'rm x'", 'busybox rm x', 'toybox rm x', 'FOO=1 rm x', 'true && rm x', 'false || rm x', 'echo a | rm x', 'echo a; rm x',
    'echo a & rm x', 'echo a\nrm x', 'echo $(rm x)', 'echo `rm x`', 'echo "$(rm x)"', 'echo "`rm x`"', 'echo $(echo $(rm x))',
    'diff <(rm x) b', 'echo >(rm x)', 'find . -exec rm {} ;', 'find . -exec rm {} \\;', 'find . -execdir rm {} +', 'find . -ok rm {} \\;',
    'setsid rm x', 'stdbuf -oL rm x', 'ionice -c3 rm x', 'chrt -f 10 rm x', 'taskset -c 1 rm x', 'taskset 0x1 rm x', '\\time -p rm x',
    'time rm x', 'command rm x', 'command -p rm x', 'builtin rm x', 'exec rm x', 'exec -a foo rm x', 'f(){ rm x; }; f',
    'function f { rm x; }', 'if true; then rm x; fi', 'if rm x; then :; fi', 'while rm x; do :; done', 'until rm x; do :; done',
    'for i in 1; do rm x; done', 'case a in a) rm x;; esac', 'case a in (a) echo; rm x;; esac', '(rm x)', '{ rm x; }', '! rm x',
    'coproc rm x', 'coproc X { rm x; }', "eval 'rm x'", 'eval rm x', "trap 'rm x' EXIT", "watch 'rm x'", 'watch -n 1 rm x',
    "su -c 'rm x'", "su root -c 'rm x'", "su - root -c 'rm x'", 'runuser -u bob -- rm x', "runuser -l bob -c 'rm x'",
    "sg wheel 'rm x'", "sg wheel -c 'rm x'", "script -qc 'rm x' /dev/null", 'flock /tmp/l rm x', "flock -n /tmp/l -c 'rm x'",
    'unshare -r rm x', 'chroot / rm x', 'systemd-run --user rm x', 'pkexec rm x', 'strace -f rm x', 'ssh host rm x',
    "ssh -p 22 host 'rm x'", 'parallel rm ::: a b', "parallel 'rm {}' ::: a", 'x=$(rm x)', 'echo > "$(rm x)"',
    'cat <<EOF\n$(rm x)\nEOF', 'cat <<-EOF\n\t`rm x`\n\tEOF', 'cat <<< "$(rm x)"', 'echo ${x:-$(rm x)}', 'a=(1 $(rm x))',
    '[[ -n $(rm x) ]]', 'echo $(( $(rm x) ))', '=rm x', 'exec -a rm busybox', 'env -a rm busybox', 'rsync -e "rm x" a b:',
    'scp -S rm a b:', 'caffeinate rm x', 'nice nice nice rm x', 'sudo env nice timeout 5 xargs rm',
  ];
  it.each(lines)('%j', (line) => {
    for (const r of [FULL_DENY_RM, COLLABORATOR]) {
      const v = checkCommand(r, shell(line), { resolve: fakeResolve });
      expect(v, `${line} under ${r.mode}`).toMatchObject({ decision: 'deny', reason: 'program-denied' });
      expect(v.analysis.programs.some((p) => p.name === 'rm' || p.resolved === 'rm')).toBe(true);
    }
  });

  const argvs = [
    ['rm', 'x'], ['/bin/rm', 'x'], ['/usr/bin/rm'], ['./rm'], ['sudo', 'rm', 'x'], ['sudo', '-u', 'root', '-E', 'rm'], ['sudo', '--', 'rm'],
    ['doas', 'rm'], ['env', 'rm'], ['env', '-i', 'FOO=1', 'rm'], ['env', '-S', 'rm -rf x'], ['nice', '-n', '5', 'rm'], ['nohup', 'rm'],
    ['timeout', '-s', 'KILL', '5', 'rm'], ['xargs', '-n1', 'rm'], ['sh', '-c', 'rm x'], ['bash', '-lc', 'rm x'], ['bash', '-ec', 'true; rm x'],
    ['zsh', '-c', 'echo a | rm x'], ['sh', '-c', "sh -c 'rm x'"], ['busybox', 'rm'], ['find', '.', '-exec', 'rm', '{}', ';'],
    ['setsid', 'rm'], ['stdbuf', '-oL', 'rm'], ['command', 'rm'], ['exec', 'rm'], ['su', '-c', 'rm x'], ['ssh', 'host', 'rm', 'x'],
  ];
  it.each(argvs)('argv %j', (...a) => {
    for (const r of [FULL_DENY_RM, COLLABORATOR]) {
      expect(checkCommand(r, argv(...a), { resolve: fakeResolve }), a.join(' ')).toMatchObject({ decision: 'deny', reason: 'program-denied' });
    }
  });

  it('records the wrapper chain that leads to a program', () => {
    const [, , , rm] = analyzeCommand(shell('sudo env nice rm x')).programs;
    expect(rm).toMatchObject({ name: 'rm', via: ['sudo', 'env', 'nice'] });
    expect(analyzeCommand(argv('/usr/bin/rm', 'x')).programs[0]).toMatchObject({ name: 'rm', path: '/usr/bin/rm' });
  });

  it('denies by the real name when a program resolves to a denied one, and never folds case itself', () => {
    const caseInsensitive: Resolve = (p) => (p === 'RM' ? '/bin/rm' : null);
    expect(checkCommand(FULL_DENY_RM, argv('RM', 'x'), { resolve: caseInsensitive })).toMatchObject({ decision: 'deny', reason: 'program-denied' });
    expect(checkCommand(FULL_DENY_RM, argv('RM', 'x'), { resolve: () => null }).decision).toBe('allow');
    expect(matchesRule('rm', 'RM')).toBe(false);
  });
});

describe('no false positives', () => {
  const fine = ['echo rm', 'grep rm file', 'git rm x', 'ls -l # rm', 'echo "a; rm x"', "printf '%s' '$(rm)'", "echo 'rm x'", 'echo \\$\\(rm x\\)', 'cat <<\'EOF\'\n$(rm x)\nEOF', 'command -v rm', 'echo $((1 + 2))', 'git log --format="%h rm"'];
  it.each(fine)('%j runs no rm', (line) => {
    const v = checkCommand(COLLABORATOR, shell(line), { resolve: fakeResolve });
    expect(v.decision).toBe('allow');
    expect(v.analysis.programs.map((p) => p.name)).not.toContain('rm');
    expect(v.analysis.opaque).toEqual([]);
  });

  it('git rm is git with an argument: not denied in ask mode with rm on the deny list', () => {
    const v = checkCommand(rules({ mode: 'ask', deny: ['rm'] }), argv('git', 'rm', 'x'), { resolve: fakeResolve });
    expect(v).toMatchObject({ decision: 'ask', reason: 'program-not-allowed', programs: ['git'] });
  });
});

describe('allowlist mode', () => {
  const allowGit = rules({ mode: 'allowlist', allow: ['git'] });
  it('passes a command whose every program is allowed', () => {
    expect(checkCommand(allowGit, shell('git status'), { resolve: fakeResolve }).decision).toBe('allow');
    expect(checkCommand(allowGit, argv('git', 'status'), { resolve: fakeResolve }).decision).toBe('allow');
  });
  it('denies a command where any program is not allowed, listing it, without asking', () => {
    expect(checkCommand(allowGit, shell('git status; rm x'), { resolve: fakeResolve })).toMatchObject({ decision: 'deny', reason: 'program-not-allowed', programs: ['rm'] });
    expect(checkCommand(allowGit, shell('git status | sh'), { resolve: fakeResolve })).toMatchObject({ decision: 'deny', reason: 'program-not-allowed' });
  });
  it('denies an opaque command', () => {
    for (const line of ['$CMD', 'git $(echo status) && $X', '"$@"', 'git status; eval "$X"', '/usr/bin/gi? status', '{git,rm} status']) {
      const v = checkCommand(rules({ mode: 'allowlist', allow: ['git', 'echo', 'eval'] }), shell(line), { resolve: fakeResolve });
      expect(v, line).toMatchObject({ decision: 'deny', reason: 'command-opaque' });
    }
  });
  it('needs both the written and the real name allowed, unless the real file is a multi-call binary', () => {
    const gitIsRm: Resolve = (p) => (p === 'git' ? '/usr/bin/rm' : null);
    expect(checkCommand(allowGit, argv('git', 'status'), { resolve: gitIsRm })).toMatchObject({ decision: 'deny', reason: 'program-not-allowed', programs: ['rm'] });
    const busy: Resolve = (p) => (p === 'git' ? '/bin/busybox' : null);
    expect(checkCommand(allowGit, argv('git', 'status'), { resolve: busy }).decision).toBe('allow');
  });
  it('supports trailing-* families, in allow and deny lists', () => {
    expect(matchesRule('mkfs*', 'mkfs')).toBe(true);
    expect(matchesRule('mkfs*', 'mkfs.ext4')).toBe(true);
    expect(matchesRule('mkfs.*', 'mkfs')).toBe(false);
    expect(checkCommand(rules({ mode: 'allowlist', allow: ['git*'] }), shell('git-lfs pull && git status'), { resolve: fakeResolve }).decision).toBe('allow');
    expect(checkCommand(rules({ mode: 'full', deny: ['mkfs*'] }), argv('mkfs.ext4', '/dev/sdz')).decision).toBe('deny');
  });
  it('needs the shell permission and the shell program itself for sh -c', () => {
    // sh is really dash here: both names must be allowed
    const both = rules({ mode: 'allowlist', allow: ['git', 'sh', 'dash'] });
    expect(checkCommand(both, argv('sh', '-c', 'git status'), { resolve: fakeResolve }).decision).toBe('allow');
    expect(checkCommand({ ...both, shell: 'off' }, argv('sh', '-c', 'git status'), { resolve: fakeResolve })).toMatchObject({ decision: 'deny', reason: 'shell-off' });
    expect(checkCommand({ ...both, allow: ['git'] }, argv('sh', '-c', 'git status'), { resolve: fakeResolve })).toMatchObject({ decision: 'deny', reason: 'program-not-allowed' });
  });
});

describe('ask mode', () => {
  const ask = rules({ mode: 'ask', allow: ['git', 'ls'], deny: ['rm'], shell: 'allow' });
  it('denies a denied program outright, even beside allowed ones', () => {
    expect(checkCommand(ask, shell('git status && rm x'), { resolve: fakeResolve }).decision).toBe('deny');
  });
  it('asks about programs that are not allowed, listing written and real names', () => {
    const v = checkCommand(ask, shell('git status | make'), { resolve: (p) => (p === 'make' ? '/usr/bin/gmake' : fakeResolve(p)) });
    expect(v).toMatchObject({ decision: 'ask', reason: 'program-not-allowed', programs: ['make', 'gmake'] });
  });
  it('asks about opaque commands', () => {
    expect(checkCommand(ask, shell('$CMD x'))).toMatchObject({ decision: 'ask', reason: 'command-opaque' });
    expect(checkCommand(ask, shell("git 'unterminated"))).toMatchObject({ decision: 'ask', reason: 'command-opaque' });
  });
  it('allows when every program is allowed', () => {
    expect(checkCommand(ask, shell('git status && ls -la'), { resolve: fakeResolve })).toMatchObject({ decision: 'allow' });
  });
  it('asks for a shell when shell is ask, even with every program allowed', () => {
    const v = checkCommand({ ...ask, shell: 'ask' }, shell('git status'), { resolve: fakeResolve });
    expect(v).toMatchObject({ decision: 'ask', reason: 'shell-ask', programs: [] });
  });
});

describe('modes off and full, and the shell permission', () => {
  it('off denies everything', () => {
    for (const cmd of [argv('true'), shell('')]) expect(checkCommand(rules({ mode: 'off', shell: 'allow' }), cmd)).toMatchObject({ decision: 'deny', reason: 'exec-off' });
  });
  it('full allows anything but the deny list, and denies opaque commands only when it has a deny list', () => {
    const full = rules({ mode: 'full' });
    expect(checkCommand(full, shell('$CMD; rm -rf x')).decision).toBe('allow');
    expect(checkCommand(FULL_DENY_RM, shell('make && ./build.sh'), { resolve: fakeResolve }).decision).toBe('allow');
    expect(checkCommand(FULL_DENY_RM, shell('$CMD x'))).toMatchObject({ decision: 'deny', reason: 'command-opaque' });
  });
  it('a shell field, sh -c in argv, sudo -s and su all need the shell permission', () => {
    const noShell = rules({ mode: 'full', shell: 'off' });
    for (const cmd of [shell('ls'), argv('sh', '-c', 'ls'), argv('bash', 'script.sh'), argv('sudo', '-s', 'ls'), argv('su', '-c', 'ls'), argv('env', 'bash', '-c', 'ls'), argv('fish', '-c', 'ls')]) {
      expect(checkCommand(noShell, cmd), JSON.stringify(cmd)).toMatchObject({ decision: 'deny', reason: 'shell-off' });
    }
    expect(checkCommand(noShell, argv('ls', '-la')).decision).toBe('allow');
    expect(checkCommand(rules({ mode: 'full', shell: 'ask' }), argv('bash', '-c', 'ls'))).toMatchObject({ decision: 'ask', reason: 'shell-ask' });
  });
  it('a remote ssh line is checked but is not a local shell', () => {
    const a = analyzeCommand(argv('ssh', 'host', 'sh', '-c', 'uptime'));
    expect(a.shell).toBe(false);
    expect(a.programs.find((p) => p.name === 'uptime')).toMatchObject({ remote: true });
    expect(a.notes.join()).toMatch(/on host, not on this machine/);
  });
});

describe('code hidden in data is opaque', () => {
  const opaque = [
    "x='a[$(rm x)]'; echo $((x))", 'echo $(( $x ))', '(( i++ ))', 'for ((i=0; i<3; i++)); do echo; done', '[[ $x -eq 1 ]]',
    'echo ${!x}', 'echo ${x@P}', 'echo ${a[$i]}', 'echo ${x:$n}', "read 'a[$(rm x)]'", "printf -v 'a[$(rm x)]' x", 'declare -n r=x',
    'declare -i y', "test -v 'a[$(rm)]'", 'let y=x', "unset 'a[$(rm)]'", 'mapfile -C cb a', 'alias ls=rm', 'hash -p /bin/rm ls',
    'source ./x.sh', '. ./x.sh', 'enable -f ./x.so x', 'PATH=/tmp ls', 'export PATH=/tmp', 'env LD_PRELOAD=/tmp/x.so ls',
    "env 'BASH_FUNC_ls%%=() { rm x; }' bash -c ls", 'PS4=\'$(rm x)\' bash -xc ls', 'GIT_SSH_COMMAND=x git fetch', "bash script.sh",
    'bash', 'sh -s', 'ssh host', "ssh -o ProxyCommand='rm x' host ls", "find . -exec sh -c 'echo {}' \\;", "xargs -I{} sh -c '{}'",
    'find . -name x -exec {} \\;', 'sudo -X rm', 'timeout --bogus 5 ls', 'find $DIR -name x', 'sudo $OPT ls', 'sudo -s', 'su',
    'ls *(e:"rm x":)', 'zsh -c \'echo ${(e)x}\'', 'parallel ::: "rm x"',
  ];
  it.each(opaque)('%j', (line) => {
    const a = analyzeCommand(shell(line));
    expect(a.opaque.length, JSON.stringify(a)).toBeGreaterThan(0);
  });
  it('takes the request environment into account', () => {
    expect(analyzeCommand(argv('ls'), { env: { BASH_ENV: '/tmp/x' } }).opaque).toHaveLength(1);
    expect(analyzeCommand(argv('ls'), { env: { LANG: 'C' } }).opaque).toEqual([]);
    for (const n of ['PATH', 'LD_PRELOAD', 'DYLD_INSERT_LIBRARIES', 'BASH_FUNC_ls%%', 'NODE_OPTIONS', 'GIT_CONFIG_COUNT', 'npm_config_script_shell']) expect(isCodeEnv(n), n).toBe(true);
    expect(isCodeEnv('LANG')).toBe(false);
  });
  it('sees programs through xargs -I and find when the placeholder is only an argument', () => {
    expect(analyzeCommand(shell('xargs -I{} rm {}'))).toMatchObject({ opaque: [] });
    expect(names(shell('xargs -I{} rm {}'))).toEqual(['xargs', 'rm']);
    expect(names(shell("find . -exec sh -c 'rm \"$1\"' _ {} \\;"))).toEqual(['find', 'sh', 'rm']);
    expect(names(shell('xargs -0'))).toEqual(['xargs', 'echo']);
  });
});

describe('the tokenizer stays bounded', () => {
  it('reports unterminated quotes and bad syntax as opaque, not a crash', () => {
    for (const line of ["echo 'x", 'echo "x', 'echo $(ls', 'echo `ls', 'echo ${x', 'if true; then ls', 'while true; do ls', 'ls; }', 'if true; then ls; done', 'case x in', '( ls', 'ls )', 'ls | | rm', "$'x"]) {
      const a = analyzeCommand(shell(line));
      expect(a.opaque.join(), line).toMatch(/shell syntax/);
    }
  });
  it('keeps what it read before a syntax error, so a denied program still denies', () => {
    expect(checkCommand(COLLABORATOR, shell("rm x; echo 'oops"))).toMatchObject({ decision: 'deny', reason: 'program-denied' });
  });
  it('rejects input over 128 KiB in every mode that checks anything', () => {
    const big = 'echo ' + 'a'.repeat(128 * 1024);
    for (const cmd of [shell(big), argv('echo', 'a'.repeat(128 * 1024))]) {
      expect(analyzeCommand(cmd).invalid).toMatch(/longer than/);
      expect(checkCommand(rules({ mode: 'ask', allow: ['echo'] }), cmd)).toMatchObject({ decision: 'deny', reason: 'command-invalid' });
    }
  });
  it('bounds nested command lines', () => {
    let line = 'rm x';
    for (let i = 0; i < 12; i++) line = `sh -c $'${line.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    expect(line.length).toBeLessThan(128 * 1024);
    const a = analyzeCommand(shell(line));
    expect(a.opaque.join()).toMatch(/nested deeper than 8/);
    expect(checkCommand(FULL_DENY_RM, shell(line)).decision).toBe('deny');
    expect(analyzeCommand(shell('eval '.repeat(50) + 'rm x')).opaque.join()).toMatch(/nested deeper/);
  });
  it('bounds nested substitutions and wrapper chains without overflowing the stack', () => {
    expect(analyzeCommand(shell('echo ' + '$('.repeat(5000) + 'rm' + ')'.repeat(5000))).opaque.join()).toMatch(/nested deeper than/);
    expect(analyzeCommand(shell('echo ' + '${x:-'.repeat(5000) + '}'.repeat(5000))).opaque.join()).toMatch(/nested deeper than/);
    const chain = 'nice '.repeat(20000) + 'rm x';
    expect(checkCommand(FULL_DENY_RM, shell(chain))).toMatchObject({ decision: 'deny' });
    expect(checkCommand(FULL_DENY_RM, argv(...Array<string>(20000).fill('nice'), 'rm'))).toMatchObject({ decision: 'deny' });
  });
  it('rejects NUL bytes and empty argv', () => {
    expect(analyzeCommand(argv('ls', 'a\0b')).invalid).toMatch(/NUL/);
    expect(analyzeCommand(shell('ls\0')).invalid).toMatch(/NUL/);
    expect(analyzeCommand({ argv: [] }).invalid).toMatch(/non-empty/);
  });
});

describe('the default deny list', () => {
  it('covers the destructive and privileged programs, each with a reason', () => {
    for (const n of ['rm', 'rmdir', 'dd', 'mkfs*', 'shred', 'wipefs', 'fdisk', 'parted', 'shutdown', 'reboot', 'halt', 'poweroff', 'init', 'systemctl', 'kill', 'pkill', 'killall', 'chmod', 'chown', 'chgrp', 'chattr', 'mount', 'umount', 'su', 'sudo', 'doas', 'passwd', 'useradd', 'userdel', 'usermod', 'crontab', 'iptables', 'nft']) {
      expect(DEFAULT_DENY, n).toContain(n);
    }
    for (const n of DEFAULT_DENY) expect(DEFAULT_DENY_REASONS[n]!.length, n).toBeGreaterThan(5);
    expect(checkCommand(COLLABORATOR, argv('mkfs.ext4', '/dev/sdz')).decision).toBe('deny');
  });
});

describe('with a real resolver on a directory of symlinks', () => {
  let dir: string;
  let bin: string;
  const realRm = fs.realpathSync('/bin/rm');
  const realEnv = fs.realpathSync('/usr/bin/env');
  const script = (p: string) => fs.writeFileSync(p, '#!/bin/sh\nexit 0\n', { mode: 0o755 });

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-cmd-'));
    bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(realRm, path.join(bin, 'ls'));
    fs.symlinkSync(realEnv, path.join(bin, 'launch'));
    script(path.join(bin, 'tool'));
    fs.symlinkSync('tool', path.join(bin, 'tool-link'));
    script(path.join(bin, 'busybox'));
    fs.symlinkSync('busybox', path.join(bin, 'cat'));
    fs.writeFileSync(path.join(bin, 'notexec'), 'x', { mode: 0o644 });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a symlink named ls that points at rm is rm', () => {
    const resolve = createResolver({ PATH: bin, cwd: dir });
    for (const cmd of [argv('ls', '-l'), shell('ls -l'), shell('sudo ls'), argv('./bin/ls')]) {
      const v = checkCommand(FULL_DENY_RM, cmd, { resolve });
      expect(v, JSON.stringify(cmd)).toMatchObject({ decision: 'deny', reason: 'program-denied' });
      expect(v.analysis.programs.find((p) => p.name === 'ls')).toMatchObject({ resolved: path.basename(realRm), realPath: realRm });
    }
    expect(checkCommand(rules({ mode: 'allowlist', allow: ['ls'] }), argv('ls'), { resolve })).toMatchObject({ decision: 'deny', reason: 'program-not-allowed' });
  });

  it('a symlink to a wrapper is seen through as that wrapper', () => {
    const v = checkCommand(FULL_DENY_RM, argv('launch', 'FOO=1', 'rm', 'x'), { resolve: createResolver({ PATH: `${bin}:/usr/bin:/bin`, cwd: dir }) });
    expect(v).toMatchObject({ decision: 'deny', reason: 'program-denied' });
    expect(v.analysis.programs.map((p) => p.name)).toEqual(['launch', 'rm']);
  });

  it('an allowlist needs the real name too, except for multi-call binaries', () => {
    const resolve = createResolver({ PATH: bin, cwd: dir });
    expect(checkCommand(rules({ mode: 'allowlist', allow: ['tool-link'] }), argv('tool-link'), { resolve })).toMatchObject({ decision: 'deny', programs: ['tool'] });
    expect(checkCommand(rules({ mode: 'allowlist', allow: ['tool-link', 'tool'] }), argv('tool-link'), { resolve }).decision).toBe('allow');
    expect(checkCommand(rules({ mode: 'allowlist', allow: ['cat'] }), argv('cat'), { resolve }).decision).toBe('allow');
    expect(checkCommand(rules({ mode: 'full', deny: ['busybox'] }), argv('cat'), { resolve }).decision).toBe('deny');
  });

  it('resolves like execvp: paths from cwd, empty PATH entries as cwd, only executable files', () => {
    expect(createResolver({ PATH: '', cwd: bin })('tool')).toBe(path.join(fs.realpathSync(bin), 'tool'));
    expect(createResolver({ PATH: bin, cwd: dir })('notexec')).toBeNull();
    expect(createResolver({ PATH: bin, cwd: dir })('bin')).toBeNull();
    expect(createResolver({ PATH: '/nonexistent', cwd: dir })('bin/tool')).toBe(path.join(fs.realpathSync(bin), 'tool'));
  });

  it('does not resolve a relative program after the command changes directory', () => {
    const a = analyzeCommand(shell('cd /elsewhere && ./bin/ls'), { resolve: createResolver({ PATH: bin, cwd: dir }) });
    expect(a.programs.find((p) => p.name === 'ls')?.resolved).toBeUndefined();
    expect(a.notes.join()).toMatch(/not resolved/);
  });
});
