export type ArchiveErrorCode =
  | 'archive-unsafe-path'
  | 'archive-unsupported-entry'
  | 'archive-too-large'
  | 'archive-too-many-entries'
  | 'archive-invalid'
  | 'archive-source-changed';

export interface ArchiveLimits {
  /** The most bytes of regular-file content an archive may carry. */
  maxBytes: number;
  /** The most entries (files, directories, symlinks) an archive may hold. */
  maxEntries: number;
}

export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';
  readonly code: ArchiveErrorCode;
  readonly details?: unknown;

  constructor(code: ArchiveErrorCode, message: string, details?: unknown) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

export const tooManyEntries = (limit: number): ArchiveError =>
  new ArchiveError('archive-too-many-entries', `the archive has more than ${limit} entries (files.maxEntries)`, { limit });

export const tooLarge = (limit: number): ArchiveError =>
  new ArchiveError('archive-too-large', `the archive holds more than ${limit} bytes (files.maxBytes)`, { limit });
