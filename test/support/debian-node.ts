import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './session-libvirt';

/**
 * Debian's own Node.js 18 — the `nodejs` the deb depends on — to prove the
 * installed helper starts with it. Debian's `/usr/bin/node` when it is that
 * one; else (a newer Node.js owns /usr/bin/node, as NodeSource's package does,
 * and Debian's cannot be installed beside it) Debian's packages downloaded
 * with `apt-get download` and unpacked into a cache folder once. Debian builds
 * node with some built-ins loaded from /usr/share/nodejs (acorn,
 * cjs-module-lexer, undici), so the unpacked copy runs in a private mount
 * namespace where its /usr/share is laid over the system's (overlayfs, root only).
 */
export interface DebianNode {
  /** Its `--version` (v18.x.y) and the Debian package version it came from. */
  version: string;
  packageVersion: string;
  /** The program and arguments that run `node ARGS` with it, optionally as another user. */
  command(args: string[], as?: { uid: number; gid: number }): { file: string; args: string[]; env: NodeJS.ProcessEnv };
}

const CACHE = join(repoRoot, 'node_modules', '.cache', 'vitrine-debian-node');

function exec(file: string, args: string[], cwd?: string): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(file, args, { encoding: 'utf8', cwd, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0;
      done({ code, out: `${stdout}${stderr}` });
    });
  });
}

/** Package names a deb depends on (first alternative of each, without versions). */
async function depends(deb: string): Promise<{ name: string; constraint: string }[]> {
  const field = (await exec('dpkg-deb', ['--field', deb, 'Depends'])).out.trim();
  return field
    .split(',')
    .map((d) => d.split('|')[0]!.trim())
    .filter(Boolean)
    .map((d) => ({ name: d.split(/[\s(]/)[0]!, constraint: d }));
}

const installed = async (name: string): Promise<boolean> => (await exec('dpkg-query', ['-W', '-f=${db:Status-Abbrev}', name])).out.startsWith('ii');

/** Download Debian's nodejs 18, its libnode and what this system lacks of their dependencies, and unpack them into CACHE. */
async function fetchIntoCache(): Promise<string | null> {
  const madison = await exec('apt-cache', ['madison', 'nodejs']);
  const version = madison.out
    .split('\n')
    .map((l) => l.split('|').map((f) => f.trim()))
    .find((f) => f[1]?.startsWith('18.') && /debian\.org/.test(f[2] ?? ''))?.[1];
  if (!version) return `no Debian nodejs 18 in the apt lists (apt-cache madison nodejs: ${madison.out.trim() || 'nothing'}; run apt-get update)`;
  rmSync(CACHE, { recursive: true, force: true });
  const debs = join(CACHE, 'debs');
  mkdirSync(debs, { recursive: true });
  const download = async (specs: string[]): Promise<string | null> => {
    const got = await exec('apt-get', ['download', ...specs], debs);
    return got.code === 0 ? null : `apt-get download ${specs.join(' ')} failed: ${got.out.trim().split('\n').at(-1)}`;
  };
  const failed = await download([`nodejs=${version}`]);
  if (failed) return failed;
  const nodeDeb = join(debs, readdirSync(debs).find((f) => f.startsWith('nodejs_'))!);
  const libnode = (await depends(nodeDeb)).find((d) => /^libnode\d+$/.test(d.name));
  if (!libnode) return `Debian's nodejs ${version} names no libnode package`;
  const failedLib = await download([`${libnode.name}=${version}`]);
  if (failedLib) return failedLib;
  const libDeb = join(debs, readdirSync(debs).find((f) => f.startsWith(`${libnode.name}_`))!);
  const missing: string[] = [];
  for (const dep of await depends(libDeb)) if (!(await installed(dep.name))) missing.push(dep.name);
  if (missing.length > 0) {
    const failedDeps = await download(missing);
    if (failedDeps) return failedDeps;
  }
  for (const deb of readdirSync(debs)) {
    const unpacked = await exec('dpkg-deb', ['-x', join(debs, deb), CACHE]);
    if (unpacked.code !== 0) return `dpkg-deb -x ${deb} failed: ${unpacked.out.trim()}`;
  }
  return null;
}

let found: Promise<DebianNode | { missing: string }> | null = null;

/** Debian's Node.js 18, or why it cannot be had here. */
export function debianNode(): Promise<DebianNode | { missing: string }> {
  found ??= locate();
  return found;
}

async function locate(): Promise<DebianNode | { missing: string }> {
  const system = await exec('/usr/bin/node', ['--version']);
  const owner = await exec('dpkg-query', ['-W', '-f=${Version}', 'nodejs']);
  if (system.code === 0 && system.out.startsWith('v18.') && /deb\d+u\d+|dfsg/.test(owner.out)) {
    return { version: system.out.trim(), packageVersion: owner.out.trim(), command: (args, as) => (as ? { file: 'setpriv', args: [...setpriv(as).slice(1), '/usr/bin/node', ...args], env: {} } : { file: '/usr/bin/node', args, env: {} }) };
  }
  if (process.getuid?.() !== 0) return { missing: `/usr/bin/node is not Debian's Node.js 18 (${system.out.trim() || 'none'}), and running the unpacked one needs root (a private mount namespace)` };
  const node = join(CACHE, 'usr', 'bin', 'node');
  if (!existsSync(node)) {
    const failed = await fetchIntoCache();
    if (failed) return { missing: `Debian's nodejs 18 could not be fetched: ${failed}` };
  }
  const libDirs = readdirSync(join(CACHE, 'usr', 'lib')).filter((d) => d.endsWith('-linux-gnu')).map((d) => join(CACHE, 'usr', 'lib', d));
  const command = (args: string[], as?: { uid: number; gid: number }): { file: string; args: string[]; env: NodeJS.ProcessEnv } => ({
    file: 'unshare',
    args: [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      'mount -t overlay vitrine-debian-node -o "lowerdir=$0/usr/share:/usr/share" /usr/share && exec "$@"',
      CACHE,
      ...(as ? setpriv(as) : []),
      'env',
      `LD_LIBRARY_PATH=${libDirs.join(':')}`,
      node,
      ...args,
    ],
    env: {},
  });
  const probe = await new Promise<{ code: number; out: string }>((done) => {
    const c = command(['--version']);
    execFile(c.file, c.args, { encoding: 'utf8' }, (error, stdout, stderr) => done({ code: error ? 1 : 0, out: `${stdout}${stderr}` }));
  });
  if (probe.code !== 0 || !probe.out.startsWith('v18.')) return { missing: `Debian's unpacked Node.js 18 does not run here: ${probe.out.trim().split('\n')[0]}` };
  const packageVersion = (await exec('dpkg-deb', ['--field', join(CACHE, 'debs', readdirSync(join(CACHE, 'debs')).find((f) => f.startsWith('nodejs_'))!), 'Version'])).out.trim();
  return { version: probe.out.trim(), packageVersion, command };
}

/** setpriv's arguments to run as an unprivileged user. */
const setpriv = (as: { uid: number; gid: number }): string[] => ['setpriv', `--reuid=${as.uid}`, `--regid=${as.gid}`, '--clear-groups'];
