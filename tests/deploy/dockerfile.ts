/** A small Dockerfile reader for static checks: enough for instructions, flags and stages. */

export interface Instruction {
  keyword: string; // upper-cased: FROM, RUN, COPY...
  args: string; // everything after the keyword, continuation lines joined
  line: number; // 1-based line of the keyword
}

export function parseDockerfile(text: string): { directives: string[]; stages: Instruction[][] } {
  const lines = text.split('\n');
  // Parser directives (`# syntax=...`, `# escape=...`) are only recognised before anything else.
  const directives: string[] = [];
  for (const l of lines) {
    const m = /^#\s*([a-z]+)\s*=/i.exec(l);
    if (!m) break;
    directives.push(m[1]!.toLowerCase());
  }

  const instructions: Instruction[] = [];
  let current: Instruction | undefined;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && !current)) return;
    const continued = line.endsWith('\\');
    const body = continued ? line.slice(0, -1) : line;
    if (current) current.args += ' ' + body.trim();
    else {
      const [keyword = '', ...rest] = body.split(/\s+/);
      current = { keyword: keyword.toUpperCase(), args: rest.join(' '), line: i + 1 };
    }
    if (!continued) {
      instructions.push(current);
      current = undefined;
    }
  });

  const stages: Instruction[][] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(ins);
  }
  return { directives, stages };
}

/** The instruction's own `--flag` / `--flag=value` options (leading words), e.g. RUN --mount. */
export function flags(ins: Instruction): string[] {
  const names: string[] = [];
  for (const word of ins.args.split(/\s+/)) {
    const m = /^--([a-z-]+)/.exec(word);
    if (!m) break;
    names.push(m[1]!);
  }
  return names;
}
