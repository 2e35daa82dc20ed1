import fs from 'node:fs';
import path from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
  close(): void;
}

const MAX_LOG_BYTES = 10 * 1024 * 1024;

/**
 * Structured JSON lines, one per record, to stderr and (optionally) a file in the data dir.
 * Never pass secrets in fields: nothing here can tell a token from any other string.
 */
export function createLogger(opts: { level: LogLevel; file?: string; stderr?: boolean; base?: Record<string, unknown> }): Logger {
  let fd: number | undefined;
  if (opts.file) {
    fs.mkdirSync(path.dirname(opts.file), { recursive: true, mode: 0o700 });
    rotate(opts.file);
    fd = fs.openSync(opts.file, 'a', 0o600);
  }
  const toStderr = opts.stderr ?? true;
  const min = ORDER[opts.level];

  const make = (base: Record<string, unknown>): Logger => {
    const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
      if (ORDER[level] < min) return;
      const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...fields, ...errorFields(fields) }) + '\n';
      if (toStderr) process.stderr.write(line);
      if (fd !== undefined) {
        try {
          fs.writeSync(fd, line);
        } catch {
          // a full disk must not take the daemon down; stderr still has the line
        }
      }
    };
    return {
      debug: (m, f) => write('debug', m, f),
      info: (m, f) => write('info', m, f),
      warn: (m, f) => write('warn', m, f),
      error: (m, f) => write('error', m, f),
      child: (f) => make({ ...base, ...f }),
      close: () => {
        if (fd !== undefined) fs.closeSync(fd);
        fd = undefined;
      },
    };
  };
  return make(opts.base ?? {});
}

/** Errors do not JSON.stringify: turn an `err` field into its message, code and stack. */
function errorFields(fields?: Record<string, unknown>): Record<string, unknown> {
  const err = fields?.err;
  if (!(err instanceof Error)) return {};
  return { err: { message: err.message, code: (err as NodeJS.ErrnoException).code, stack: err.stack } };
}

function rotate(file: string) {
  try {
    if (fs.statSync(file).size < MAX_LOG_BYTES) return;
    fs.renameSync(file, `${file}.1`);
  } catch {
    // no file yet
  }
}

/** A logger that drops everything (tests that do not care about logs). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
  close: () => undefined,
};
