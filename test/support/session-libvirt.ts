import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root and the built CLI. */
export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const cliPath = join(repoRoot, 'out', 'main', 'cli.cjs');

/** The unprivileged account tests use when they run as root (created by test/run.mjs). */
export const TEST_USER = process.env['VITRINE_TEST_USER'] ?? 'vitrine-test';

export interface SessionUser {
  uid: number;
  gid: number;
  home: string;
  env: NodeJS.ProcessEnv;
  /** Spawn options that run a process as this user in this session. */
  spawnOptions(extra?: SpawnOptions): SpawnOptions;
  /** Run virsh on qemu:///session as this user. */
  virsh(...args: string[]): Promise<string>;
  /** Remove the domains this run defined, stop its processes, delete its home. */
  cleanup(): Promise<void>;
}

function idsOf(name: string): Promise<{ uid: number; gid: number }> {
  return new Promise((done, fail) => {
    execFile('id', ['-u', name], (e1, uid) => {
      if (e1) return fail(new Error(`user ${name} does not exist: run the tests through npm test, which creates it`));
      execFile('id', ['-g', name], (e2, gid) => (e2 ? fail(e2) : done({ uid: Number(uid), gid: Number(gid) })));
    });
  });
}

/**
 * A private qemu:///session for this test run: a fresh HOME and runtime dir
 * owned by an unprivileged user (the current one, or TEST_USER when running as
 * root, since root's qemu:///session is routed to the system daemon), so that
 * virsh spawns a libvirtd of its own that sees only this run's domains.
 */
export async function createSessionUser(): Promise<SessionUser> {
  const ids = process.getuid?.() === 0 ? await idsOf(TEST_USER) : { uid: process.getuid!(), gid: process.getgid!() };
  const home = mkdtempSync(join(tmpdir(), 'vitrine-session-'));
  const runtime = join(home, 'run');
  mkdirSync(runtime);
  chmodSync(home, 0o700);
  chmodSync(runtime, 0o700);
  if (process.getuid?.() === 0) {
    chownSync(home, ids.uid, ids.gid);
    chownSync(runtime, ids.uid, ids.gid);
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    USER: process.getuid?.() === 0 ? TEST_USER : userInfo().username,
    XDG_RUNTIME_DIR: runtime,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    LC_ALL: 'C',
  };
  const spawnOptions = (extra: SpawnOptions = {}): SpawnOptions => ({
    cwd: home,
    ...extra,
    env: { ...env, ...(extra.env ?? {}) },
    ...(process.getuid?.() === 0 ? { uid: ids.uid, gid: ids.gid } : {}),
  });

  const virsh = (...args: string[]): Promise<string> =>
    new Promise((done, fail) => {
      execFile('virsh', ['--connect', 'qemu:///session', ...args], { ...spawnOptions(), timeout: 60_000, encoding: 'utf8' } as never, (error, stdout, stderr) => {
        if (error) fail(new Error(`virsh ${args.join(' ')}: ${String(stderr).trim() || error.message}`));
        else done(String(stdout));
      });
    });

  return {
    ...ids,
    home,
    env,
    spawnOptions,
    virsh,
    async cleanup() {
      const names = (await virsh('list', '--all', '--name').catch(() => ''))
        .split('\n')
        .map((n) => n.trim())
        .filter(Boolean);
      for (const name of names) {
        await virsh('destroy', name).catch(() => undefined);
        await virsh('undefine', '--nvram', name).catch(() => undefined);
      }
      // This run's own daemon (it would exit after 120 s idle): end it now, and
      // wait until it has gone, so it writes nothing into the home being removed.
      let pid = 0;
      try {
        pid = Number(readFileSync(join(runtime, 'libvirt', 'libvirtd.pid'), 'utf8').trim());
        if (pid > 0) process.kill(pid, 'SIGTERM');
      } catch {
        // no daemon was started, or it is gone already
      }
      for (let waited = 0; pid > 0 && waited < 10_000 && isAlive(pid); waited += 100) await new Promise((r) => setTimeout(r, 100));
      rmSync(home, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}

/** The XML of a tiny TCG domain (type qemu: no KVM needed), with no disk. */
export function tinyDomainXml(name: string): string {
  const escaped = name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&apos;');
  return `<domain type='qemu'>
  <name>${escaped}</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
  </devices>
</domain>
`;
}

/** Define a domain from XML as this user (the file goes through its home). */
export async function defineDomain(user: SessionUser, name: string): Promise<void> {
  const file = join(user.home, `${name.replace(/[^a-z0-9-]/gi, '_')}.xml`);
  writeFileSync(file, tinyDomainXml(name));
  if (process.getuid?.() === 0) chownSync(file, user.uid, user.gid);
  await user.virsh('define', file);
}

/** Run the built CLI as the session user; resolves with its exit code and output. */
export function runCli(user: SessionUser, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cliPath, ...args], user.spawnOptions({ stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Whether a process of this id exists (a zombie counts until it is reaped). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Wait (up to `timeoutMs`) for a process to be gone. */
export async function waitGone(pid: number, timeoutMs = 5_000): Promise<void> {
  for (let waited = 0; waited < timeoutMs && isAlive(pid); waited += 50) await new Promise((r) => setTimeout(r, 50));
}

/** Start `vitrine serve` as the session user and wait for its URL. */
export function startServe(user: SessionUser, extraArgs: string[] = []): Promise<{ url: string; origin: string; child: ChildProcess }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cliPath, '--connect', 'qemu:///session', 'serve', '--port', '0', ...extraArgs], user.spawnOptions({ stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`vitrine serve printed no URL in 20 s: ${out} ${err}`)), 20_000);
    child.stderr!.on('data', (chunk) => (err += chunk));
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/Open: (http:\/\/\S+)/);
      if (match?.[1]) {
        clearTimeout(timer);
        done({ url: match[1], origin: new URL(match[1]).origin, child });
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      fail(new Error(`vitrine serve exited with ${code}: ${err}`));
    });
  });
}
