import type { Command } from 'commander';
import { action, type CliContext } from '../command.js';
import { checkConfig, checkDaemon, checkDatabase, checkDataDir, checkIdentity, checkNode, checkToken } from '../lib/doctor.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check the installation, the data dir and the daemon; exit 1 if anything fails')
    .action(action(doctor));
}

async function doctor(ctx: CliContext): Promise<number> {
  const checks = [
    checkNode(),
    checkDataDir(ctx.paths),
    checkToken(ctx.paths),
    checkIdentity(ctx.paths),
    await checkConfig(ctx.paths),
    checkDatabase(ctx.paths),
    ...(await checkDaemon(ctx.home, ctx.paths)),
  ];
  const ok = !checks.some((c) => c.status === 'fail');
  if (ctx.json) {
    ctx.out.data({ ok, home: ctx.home, checks });
  } else if (ctx.out.interactive) {
    const { DoctorView } = await import('../views/DoctorView.js');
    const { createElement } = await import('react');
    await ctx.out.view(createElement(DoctorView, { checks }));
  } else {
    const { doctorPlain } = await import('../views/DoctorView.js');
    for (const line of doctorPlain(checks)) ctx.out.line(line);
  }
  return ok ? 0 : 1;
}
