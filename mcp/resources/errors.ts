import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ToolDeps } from '../deps.js';
import { errorText, toErrorInfo } from '../tools/errors.js';

/** MCP's code for "no such resource" (the spec's, not in the SDK's enum). */
const RESOURCE_NOT_FOUND = -32002;

/**
 * Resources have no isError: a failed read is a JSON-RPC error whose message and data still carry
 * the daemon's stable code (`Error [daemon-unreachable]: …`).
 */
export function resourceError(err: unknown, deps: ToolDeps, uri: string): McpError {
  const info = toErrorInfo(err, deps.log, uri);
  const code = info.code === 'key-not-found' ? RESOURCE_NOT_FOUND : ErrorCode.InternalError;
  return new McpError(code, errorText(info), { code: info.code, uri });
}

export function json(uri: string, value: unknown) {
  return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }] };
}
