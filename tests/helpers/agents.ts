import fs from 'node:fs';
import path from 'node:path';
import { ROOT, tempHome } from './daemon.js';

export const FAKE_AGENT = path.join(ROOT, 'tests', 'fixtures', 'agents', 'fake-agent.mjs');

/**
 * A directory with `claude`, `gemini` and `codex` executables that run the scripted fake agent
 * (tests/fixtures/agents/fake-agent.mjs) as that agent. Put it first on a daemon's PATH.
 */
export function fakeAgentBin(): string {
  const dir = tempHome('ferry-agents-');
  for (const agent of ['claude', 'gemini', 'codex']) {
    const file = path.join(dir, agent);
    fs.writeFileSync(file, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_AGENT}" ${agent} "$@"\n`, { mode: 0o755 });
  }
  return dir;
}

/** The environment for a daemon whose agents are the fake ones. */
export function fakeAgentEnv(log?: string): Record<string, string> {
  return { PATH: `${fakeAgentBin()}${path.delimiter}${process.env.PATH ?? ''}`, ...(log ? { FAKE_AGENT_LOG: log } : {}) };
}
