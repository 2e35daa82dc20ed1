/** A problem with an agent's configuration or its CLI, with a stable code (the CLI prints code and hint). */
export class AgentConfigError extends Error {
  override name = 'AgentConfigError';
  constructor(
    readonly code: 'agent-config-invalid' | 'agent-config-unsupported' | 'agent-cli-failed' | 'agent-config-changed' | 'agent-config-unwritable',
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}
