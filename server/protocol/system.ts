import { z } from 'zod';
import { Timestamp } from './common.js';

export const Health = z.object({ status: z.enum(['ok', 'draining']) });
export type Health = z.infer<typeof Health>;

export const Identity = z.object({
  nodeId: z.string(),
  name: z.string(),
  /** SHA-256 of the certificate (DER), lower-case hex with colons. */
  fingerprint: z.string(),
  certificate: z.string(),
  version: z.string(),
});
export type Identity = z.infer<typeof Identity>;

export const Status = z.object({
  nodeId: z.string(),
  name: z.string(),
  version: z.string(),
  pid: z.number().int(),
  startedAt: Timestamp,
  uptimeSeconds: z.number(),
  dataDir: z.string(),
  listen: z.object({ host: z.string(), port: z.number().int() }),
  /** The mutual-TLS peer listener, or null when it is off. */
  peerListen: z.object({ host: z.string(), port: z.number().int() }).nullable(),
  adminUrl: z.string(),
  draining: z.boolean(),
  jobs: z.object({ running: z.number().int(), maxConcurrent: z.number().int() }),
  /** AI tasks running and waiting, and which agents this machine can run (their program was found). */
  aiTasks: z.object({
    running: z.number().int(),
    queued: z.number().int(),
    maxConcurrent: z.number().int(),
    agents: z.object({ claude: z.boolean(), gemini: z.boolean(), codex: z.boolean() }),
  }),
  context: z.object({ entries: z.number().int(), maxEntries: z.number().int() }),
  db: z.object({ schemaVersion: z.number().int(), sizeBytes: z.number().int() }),
  runtime: z.object({ node: z.string(), platform: z.string(), arch: z.string(), rssBytes: z.number().int() }),
});
export type Status = z.infer<typeof Status>;

/** What a paired peer sees of this machine's status: no paths, no process details. */
export const PeerStatus = Status.pick({ nodeId: true, name: true, version: true, startedAt: true, uptimeSeconds: true, draining: true, jobs: true, aiTasks: true });
export type PeerStatus = z.infer<typeof PeerStatus>;
