/**
 * Split a command line into argv the way a person expects from a shell, without being one:
 * whitespace separates words, 'single quotes' keep everything literally, "double quotes" keep
 * spaces and allow \" and \\, and a backslash outside quotes escapes the next character.
 * Nothing else is special: no variables, globs, pipes or redirections (tick "shell" for those).
 */
export function splitCommandLine(line: string): string[] {
  const argv: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;

  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\') {
      if (i + 1 >= line.length) throw new CommandLineError('the command line ends with a lone backslash');
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) argv.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw new CommandLineError(`a ${quote === '"' ? 'double' : 'single'} quote is never closed`);
  if (inWord) argv.push(word);
  return argv;
}

export class CommandLineError extends Error {
  override name = 'CommandLineError';
}
