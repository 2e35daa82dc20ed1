// A POSIX sh / bash tokenizer and a flat parser: enough structure to find every command word
// a shell line would run, never enough to run anything. It errs towards "opaque": whatever
// it cannot read with certainty becomes an issue, and an issue makes the caller distrust the
// whole line. Syntax errors, unterminated quotes and runaway nesting are issues, not crashes.
//
// The pieces live in ./shell/: words (shapes), word-reader and lexer (tokens), parser,
// expansions (which expansions evaluate code), env-string (env -S).

export { MAX_COMMAND_BYTES, literalWord, type SimpleCommand, type Script, type Word } from './shell/words.js';
export { parseShell } from './shell/parser.js';
export { arithmeticIssue } from './shell/expansions.js';
export { splitEnvString } from './shell/env-string.js';
