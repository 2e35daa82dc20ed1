import { describeError, errorCode, FerryError } from '../api.js';

/** What went wrong when joining another machine's invite, in words that say what to do next. */
export function joinMessage(err: unknown, target: { address: string; port: number }): string {
  const where = `${target.address}:${target.port}`;
  switch (errorCode(err)) {
    case 'pairing-code-wrong': {
      const left = attemptsLeft(err);
      if (left === 0) return 'That code is wrong, and it was the last try: the invite on the other machine is now closed. Open a new invite there.';
      const tries = left === null ? '' : ` ${left} ${left === 1 ? 'try' : 'tries'} left before that invite closes.`;
      return `That code is not the one the other machine shows. Check it and try again.${tries}`;
    }
    case 'no-pairing-window':
      return `${where} is not inviting right now. On that machine, choose “Invite a machine” (or run ferry pair), then use the code it shows.`;
    case 'pairing-window-closed':
      return 'The invite on the other machine has closed (it expired, was used, or had too many wrong codes). Open a new invite there.';
    case 'peer-unreachable':
      return `Cannot reach ${where}. Check the address and port, that Ferry runs there, and that a firewall lets the port through.`;
    case 'rate-limited':
      return 'Too many pairing attempts from here. Wait a minute, then try again.';
    case 'validation-failed':
      return sentence(describeError(err));
    case 'pairing-failed':
      return `Pairing failed: ${describeError(err)}`;
    default:
      return describeError(err);
  }
}

/** Daemon messages are lower-case clauses; on their own they read better as a sentence. */
export function sentence(text: string): string {
  const t = text.trim();
  return t.charAt(0).toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
}

/** The wrong-code error says how many tries the other machine's window has left. */
function attemptsLeft(err: unknown): number | null {
  if (!(err instanceof FerryError)) return null;
  const details = err.details as { attemptsLeft?: unknown } | undefined;
  return typeof details?.attemptsLeft === 'number' ? details.attemptsLeft : null;
}

/** Node ids are long: the first two groups tell peers apart at a glance. */
export function shortNodeId(nodeId: string | null): string {
  if (!nodeId) return '—';
  const groups = nodeId.split('-');
  return groups.length > 2 ? `${groups.slice(0, 2).join('-')}…` : nodeId;
}

/** A comparison code as people read it aloud: 482 913. */
export function formatSas(sas: string): string {
  return sas.length === 6 ? `${sas.slice(0, 3)} ${sas.slice(3)}` : sas;
}

/** Seconds until an ISO time, never negative. */
export function secondsUntil(iso: string, now: number): number {
  return Math.max(0, Math.ceil((Date.parse(iso) - now) / 1000));
}

/** 4:05 */
export function formatCountdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
