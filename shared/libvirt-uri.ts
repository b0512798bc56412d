// The libvirt URI check, apart from the zod schemas (shared/schemas.ts re-exports it).

/** The longest libvirt URI Vitrine takes (settings-schema.ts, savedLibvirtUri). */
export const LIBVIRT_URI_MAX = 300;

/** The libvirt transports Vitrine connects through (test: libvirt's test driver, to try Vitrine without a host). */
const LIBVIRT_SCHEMES = ['qemu', 'qemu+unix', 'qemu+ssh', 'qemu+libssh', 'qemu+libssh2', 'qemu+tls', 'test'] as const;
const LOCAL_SCHEMES: readonly string[] = ['qemu', 'qemu+unix'];

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/**
 * What is wrong with a libvirt URI for Vitrine, or null when it is one Vitrine
 * uses: qemu:///system or qemu:///session, locally (qemu+unix with its socket)
 * or remotely (qemu+ssh, qemu+tls). Other transports are refused — qemu+ext
 * runs a program named in the URI — and a typo is told apart from a stopped
 * daemon before anything connects.
 */
export function libvirtUriProblem(uri: string): string | null {
  const known = 'Vitrine connects to qemu:///system, qemu:///session, qemu+ssh://HOST/system, qemu+tls://HOST/system or qemu+unix:///system?socket=PATH.';
  const m = uri.match(/^([a-z][a-z0-9+]*):\/\/([^/?#\s]*)(\/[^?#\s]*)?(\?[^#\s]*)?$/);
  if (!m) return `'${uri}' is not a libvirt URI. ${known}`;
  const [, scheme, host, path = '', query = ''] = m as unknown as [string, string, string, string | undefined, string | undefined];
  if (!(LIBVIRT_SCHEMES as readonly string[]).includes(scheme)) return `'${uri}' uses the '${scheme}' transport, which Vitrine does not use. ${known}`;
  if (/(^|[?&])command=/.test(query)) return `'${uri}' names a program to run: Vitrine does not start programs named in a URI. ${known}`;
  if (scheme === 'test') return path.startsWith('/') ? null : `'${uri}' is not a test driver URI (test:///default).`;
  const local = LOCAL_SCHEMES.includes(scheme);
  if (local && host !== '') return `'${uri}' names a host, which ${scheme}:// does not take: use qemu+ssh://${host}${path || '/system'} for another machine.`;
  if (!local && host === '') return `'${uri}' names no host: write ${scheme}://HOST/system.`;
  if (path !== '/system' && path !== '/session') {
    const guess = ['/system', '/session'].find((p) => editDistance(path, p) <= 2);
    return guess ? `'${uri}' is not a libvirt connection: did you mean ${scheme}://${host}${guess}${query}?` : `'${uri}' names neither /system nor /session. ${known}`;
  }
  return null;
}
