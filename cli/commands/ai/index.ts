import type { Command } from 'commander';
import { registerAiCancel } from './cancel.js';
import { registerAiDecide } from './decide.js';
import { registerAiList } from './list.js';
import { registerAiRun } from './run.js';
import { registerAiShow } from './show.js';

export function registerAi(program: Command): void {
  const group = program
    .command('ai')
    .description('AI tasks: prompts run by a coding agent (claude, gemini, codex) here or on a paired machine: run, list (the default), show, cancel, allow, deny');
  registerAiRun(group);
  registerAiList(group);
  registerAiShow(group);
  registerAiCancel(group);
  registerAiDecide(group);
}
