import { z } from 'zod';

/**
 * Every stable error code the daemon can answer with, and the HTTP status it goes with.
 * Clients and tests match on the code, never on the message.
 */
export const ERROR_STATUS = {
  'validation-failed': 400,
  'invalid-json': 400,
  'cwd-not-found': 400,
  'path-invalid': 400,
  'not-a-file': 400,
  'not-a-directory': 400,
  'path-denied': 403,
  'path-not-found': 404,
  'upload-not-found': 404,
  'transfer-not-found': 404,
  'message-not-found': 404,
  'message-id-taken': 409,
  'destination-exists': 409,
  'offset-mismatch': 409,
  'upload-not-open': 409,
  'file-too-large': 413,
  'hash-mismatch': 422,
  'archive-unsafe-path': 422,
  'archive-unsupported-entry': 422,
  'archive-too-large': 413,
  'archive-too-many-entries': 413,
  'archive-invalid': 422,
  'archive-source-changed': 409,
  'unauthorized': 401,
  'host-not-allowed': 403,
  'csrf-failed': 403,
  'forbidden': 403,
  'scope-denied': 403,
  'peer-not-paired': 403,
  'peer-local-only': 403,
  'pairing-code-wrong': 403,
  'route-not-found': 404,
  'key-not-found': 404,
  'job-not-found': 404,
  'ai-task-not-found': 404,
  'permission-not-found': 404,
  'peer-not-found': 404,
  'no-pairing-window': 404,
  'pairing-session-not-found': 404,
  'approval-not-found': 404,
  'method-not-allowed': 405,
  'version-conflict': 409,
  'job-not-running': 409,
  'ai-task-not-running': 409,
  'permission-already-decided': 409,
  'pairing-state': 409,
  'approval-already-decided': 409,
  'peer-already-paired': 409,
  'pairing-failed': 400,
  'pairing-window-closed': 410,
  'payload-too-large': 413,
  'value-too-large': 413,
  'context-full': 413,
  'unsupported-media-type': 415,
  'command-not-found': 422,
  'agent-not-installed': 422,
  'rate-limited': 429,
  'too-many-jobs': 429,
  'too-many-ai-tasks': 429,
  'internal-error': 500,
  'peer-unreachable': 502,
  'peer-identity-mismatch': 502,
  'peer-error': 502,
  'draining': 503,
  'admin-not-built': 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export const ErrorBody = z.object({
  code: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
});
export const ErrorEnvelope = z.object({ error: ErrorBody });
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;
