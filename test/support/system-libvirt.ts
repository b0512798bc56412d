import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A system libvirtd (qemu:///system, run as root) of the test's own: in a
 * private mount namespace, /etc/libvirt is the test's folder (its
 * libvirtd.conf, qemu.conf, and `hooks` bound from where the test installed
 * them), and /run/libvirt, /var/lib/libvirt, /var/cache/libvirt and
 * /var/log/libvirt are empty tmpfs, so it shares nothing with the machine's
 * own daemon. Its socket is in the test's folder.
 */
export interface SystemLibvirt {
  uri: string;
  virsh(...args: string[]): Promise<string>;
  /** virsh that may fail: its exit code and error text. */
  tryVirsh(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** The daemon's mount namespace (/proc/PID/ns/mnt), to find what it started. */
  mountNamespace: string;
  stop(): Promise<void>;
}

/** Why a system libvirtd cannot be started here (null when it can). */
export function systemLibvirtMissing(): string | null {
  if (process.getuid?.() !== 0) return 'not root';
  if (!existsSync('/usr/sbin/libvirtd')) return 'no libvirtd (libvirt-daemon-system)';
  if (spawnSync('unshare', ['-m', 'true']).status !== 0) return 'no mount namespaces (unshare -m)';
  return null;
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startSystemLibvirt(dir: string, hooksDir: string): Promise<SystemLibvirt> {
  const etc = join(dir, 'etc-libvirt');
  const sock = join(dir, 'sock');
  mkdirSync(join(etc, 'hooks'), { recursive: true });
  mkdirSync(sock, { recursive: true });
  writeFileSync(join(etc, 'libvirtd.conf'), `unix_sock_dir = "${sock}"\nauth_unix_rw = "none"\nauth_unix_ro = "none"\n`);
  // No virtlogd in the namespace: QEMU's output goes to a file.
  writeFileSync(join(etc, 'qemu.conf'), 'stdio_handler = "file"\n');
  const pidFile = join(dir, 'libvirtd.pid');
  const script = [
    'set -e',
    'mount --make-rprivate / 2>/dev/null || true',
    `mount --bind '${etc}' /etc/libvirt`,
    `mount --bind '${hooksDir}' /etc/libvirt/hooks`,
    ...['/run/libvirt', '/var/lib/libvirt', '/var/cache/libvirt', '/var/log/libvirt'].map((d) => `mkdir -p ${d} && mount -t tmpfs vitrine-test ${d}`),
    `exec libvirtd -f /etc/libvirt/libvirtd.conf -p '${pidFile}'`,
  ].join('\n');
  const daemon = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  daemon.stderr!.on('data', (chunk) => (errors += chunk));
  const uri = `qemu:///system?socket=${join(sock, 'libvirt-sock')}`;
  const tryVirsh = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((done) => {
      execFile('virsh', ['--connect', uri, ...args], { encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
    });
  const virsh = async (...args: string[]): Promise<string> => {
    const r = await tryVirsh(...args);
    if (r.code !== 0) throw new Error(`virsh ${args.join(' ')}: ${r.stderr.trim()}`);
    return r.stdout;
  };
  for (let i = 0; ; i++) {
    if ((await tryVirsh('version')).code === 0) break;
    if (daemon.exitCode !== null || i > 300) throw new Error(`the test's libvirtd did not answer: ${errors}`);
    await wait(100);
  }
  const daemonPid = Number(readFileSync(pidFile, 'utf8').trim());
  return {
    uri,
    mountNamespace: readlinkSync(`/proc/${daemonPid}/ns/mnt`),
    virsh,
    tryVirsh,
    async stop() {
      for (const name of (await tryVirsh('list', '--all', '--name')).stdout.split('\n').map((n) => n.trim()).filter(Boolean)) {
        await tryVirsh('destroy', name);
        await tryVirsh('undefine', name);
      }
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0;
      if (pid > 0) process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 100 && daemon.exitCode === null; i++) await wait(100);
      if (daemon.exitCode === null) daemon.kill('SIGKILL');
    },
  };
}
