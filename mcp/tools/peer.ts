import { z } from 'zod';
import type { FerryClient } from '../../server/client/index.js';

/**
 * A paired machine, by the name ferry_list_peers shows (a node id works too). Never a key or
 * address: the local daemon looks the peer up and reaches it over its pinned mutual-TLS link.
 */
export const PeerArg = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\s/\\\p{Cc}]+$/u, 'a peer name as ferry_list_peers shows it (no spaces or slashes)')
  .describe('Run this on a paired machine (its name from ferry_list_peers) instead of this one. Omit for this machine.');

/** A recipient, sender or transfer's other end, by the name ferry_list_peers shows (the protocol caps these at 64 characters). */
export const PeerName = PeerArg.max(64);

/** The client for the machine a call is aimed at: this one, or a peer through the local daemon. */
export function at(client: FerryClient, peer: string | undefined): FerryClient {
  return peer === undefined ? client : client.forPeer(peer);
}

/** " on laptop" for texts about a peer, "" for this machine. */
export function where(peer: string | undefined): string {
  return peer === undefined ? '' : ` on ${peer}`;
}
