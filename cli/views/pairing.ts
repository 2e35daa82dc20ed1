import type { PairingSession, PairingWindow } from '../../server/protocol/index.js';
import type { Painter } from '../style.js';
import { formatTime } from './format.js';

/** `123456` → `123 456`: two groups are easier to read out and compare. */
export const formatSas = (sas: string | null) => (sas && /^\d{6}$/.test(sas) ? `${sas.slice(0, 3)} ${sas.slice(3)}` : (sas ?? '-'));

/** `7K3M-Q9TX` → `7 K 3 M - Q 9 T X`: no letter hides in its neighbours. */
export const spaced = (code: string) => code.split('').join(' ');

export interface InviteInfo {
  window: PairingWindow;
  /** `host:port` the other machine can dial (empty: none found). */
  dial: string[];
}

export const minutesLeft = (iso: string) => Math.max(0, Math.round((Date.parse(iso) - Date.now()) / 60_000));

export function dialLines(info: InviteInfo): string[] {
  if (info.dial.length === 0) return ['ferry pair <this machine\'s address>:<peer port>'];
  return info.dial.map((d) => `ferry pair ${d}`);
}

export function invitePlain(info: InviteInfo): string[] {
  const w = info.window;
  return [
    `invite code: ${w.code}`,
    `expires:     ${formatTime(w.expiresAt)} (in ${minutesLeft(w.expiresAt)} min), one use, ${w.attemptsLeft} tries`,
    'on the other machine run:',
    ...dialLines(info).map((l) => `  ${l}`),
    'and type the invite code when it asks.',
  ];
}

/** Who is asking, and the comparison code both people read out: the same lines on both screens. */
export function requestLines(s: PairingSession, paint: Painter): string[] {
  const who = s.peer ? `${paint('bold', s.peer.name)} (node id ${s.peer.nodeId})` : 'the other machine';
  return [
    s.role === 'inviter' ? `${who} wants to pair with this machine.` : `Connected to ${who}.`,
    '',
    `  Comparison code:  ${paint('bold', formatSas(s.sas))}`,
    '',
    'The other screen shows a comparison code too. If someone sits in the middle, the codes differ.',
  ];
}
