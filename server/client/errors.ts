/** An error answered by the daemon (or a failure to reach it), carrying the stable code. */
export class FerryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'FerryError';
  }
}

/** The daemon could not be reached at all (not running, wrong port, refused). */
export class FerryUnreachableError extends FerryError {
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(0, 'daemon-unreachable', `cannot reach the Ferry daemon at ${url}: ${describe(cause)}`);
    this.name = 'FerryUnreachableError';
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as Error & { cause?: unknown }).cause;
    if (inner instanceof Error) return `${inner.message}`;
    return cause.message;
  }
  return String(cause);
}
