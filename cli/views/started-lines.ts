/** Where a started daemon is and how to get in: plain text, shared by the Ink view and piped output. */
export interface StartedInfo {
  url: string;
  pid: number;
  home: string;
  tokenPath: string;
  detached: boolean;
}

export const adminUrl = (url: string) => `${url.replace(/\/+$/, '')}/admin/`;

/** Where the daemon is and how to get in: the same facts for the view and the plain lines. */
export function startedLines(info: StartedInfo): [string, string][] {
  return [
    ['admin', adminUrl(info.url)],
    ['api', info.url],
    ['pid', String(info.pid)],
    ['data dir', info.home],
    ['token', `${info.tokenPath}  (print it with \`ferry key show\`)`],
  ];
}
