// Directories travel as tar (docs/files.md, "Directories"): a deterministic packer and a
// paranoid extractor. The pieces live in ./archive/; this is the module the rest imports.

export { ArchiveError, type ArchiveErrorCode, type ArchiveLimits } from './archive/errors.js';
export { packDirectory } from './archive/pack.js';
export { extractArchive, type ExtractOptions, type ExtractResult } from './archive/extract.js';
