/** `_ferry._tcp`: the DNS-SD service type every Ferry daemon advertises on its peer port. */
export const FERRY_SERVICE_TYPE = 'ferry';
export const FERRY_SERVICE_SUFFIX = `._${FERRY_SERVICE_TYPE}._tcp.local`;

/** A DNS label holds 63 bytes; leave room for the " (12)" ciao appends when the name is taken. */
const MAX_INSTANCE_BYTES = 63 - 5;

/** The display name as an mDNS instance name: one label, cut to fit on a character boundary. */
export function instanceName(name: string): string {
  let out = name.trim() || 'ferry';
  while (Buffer.byteLength(out) > MAX_INSTANCE_BYTES) out = [...out].slice(0, -1).join('');
  return out;
}

/** A host name that cannot clash between two machines that share a display name. */
export function mdnsHostname(nodeId: string): string {
  return `ferry-${nodeId.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 16)}`;
}

/**
 * The instance name out of a service FQDN. bonjour-service cuts its `name` at the first dot,
 * which would turn "laptop.lan" into "laptop"; the FQDN keeps the whole label.
 */
export function nameFromFqdn(fqdn: string): string | null {
  if (!fqdn.toLowerCase().endsWith(FERRY_SERVICE_SUFFIX)) return null;
  const name = fqdn.slice(0, -FERRY_SERVICE_SUFFIX.length);
  return name.length ? name : null;
}

/** Reject after `ms` if `p` has not settled (the work itself goes on; the caller stops waiting). */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    t.unref();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(t);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
