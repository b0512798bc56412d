import { chmodSync, copyFileSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALLED_HELPER } from '../../main/setup/service';
import { builderConfig, debControl, renderTemplate, run } from '../support/deb';
import { debianNode } from '../support/debian-node';
import { FAMILIES, writeFamilyRoot } from '../support/etc-trees';
import { TEST_USER, cliPath, repoRoot } from '../support/session-libvirt';

// The deb's metadata and maintainer scripts for real: a package is built with
// dpkg-deb from electron-builder.yml's fields and the scripts as electron-builder
// fills them in, around a stand-in app, then installed and purged with dpkg
// into a scratch root (--root with --force-script-chrootless: the scripts run
// with DPKG_ROOT set, as dpkg does for such installs).
// electron-builder itself cannot build it here: it downloads Electron and fpm.
const asRoot = process.getuid?.() === 0;
let dir: string;
let deb: string;
let root: string;
const dpkgIn = (where: string, ...args: string[]) => run('dpkg', [`--root=${where}`, '--force-script-chrootless', '--force-depends', ...args]);
const dpkg = (...args: string[]) => dpkgIn(root, ...args);

/** An empty root dpkg can install into. */
function dpkgRoot(where: string): string {
  mkdirSync(join(where, 'var', 'lib', 'dpkg', 'info'), { recursive: true });
  mkdirSync(join(where, 'var', 'lib', 'dpkg', 'updates'), { recursive: true });
  writeFileSync(join(where, 'var', 'lib', 'dpkg', 'status'), '');
  writeFileSync(join(where, 'var', 'lib', 'dpkg', 'available'), '');
  return where;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vitrine-deb-'));
  const stage = join(dir, 'stage');
  const app = join(stage, 'opt', 'Vitrine');
  mkdirSync(join(stage, 'DEBIAN'), { recursive: true });
  mkdirSync(join(app, 'resources', 'helper'), { recursive: true });
  for (const exe of ['vitrine', 'chrome-sandbox']) {
    writeFileSync(join(app, exe), '#!/bin/sh\necho stand-in\n');
    chmodSync(join(app, exe), 0o755);
  }
  copyFileSync(join(repoRoot, 'out', 'helper', 'vitrine-helper.mjs'), join(app, 'resources', 'helper', 'vitrine-helper.mjs'));
  copyFileSync(join(repoRoot, 'assets', 'io.github.vitrine.helper.policy'), join(app, 'resources', 'helper', 'io.github.vitrine.helper.policy'));
  writeFileSync(join(stage, 'DEBIAN', 'control'), debControl());
  const values = { executable: 'vitrine', sanitizedProductName: 'Vitrine', productFilename: 'Vitrine' };
  for (const [tpl, script] of [['after-install.tpl', 'postinst'], ['after-remove.tpl', 'postrm']] as const) {
    writeFileSync(join(stage, 'DEBIAN', script), renderTemplate(readFileSync(join(repoRoot, 'assets', 'deb', tpl), 'utf8'), values), { mode: 0o755 });
  }
  deb = join(dir, 'vitrine.deb');
  const built = await run('dpkg-deb', ['--root-owner-group', '--build', stage, deb]);
  if (built.code !== 0) throw new Error(built.out);
  root = dpkgRoot(join(dir, 'root'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run a program (as `as` when given), with its output (stdout then stderr) and exit code. */
function spawned(file: string, args: string[], env: NodeJS.ProcessEnv, as?: { uid: number; gid: number }): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(file, args, { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...(as ?? {}) });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('close', (code) => done({ code, out }));
  });
}

/** The unprivileged account the tests use (test/run.mjs creates it). */
async function testUser(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', TEST_USER]), run('id', ['-g', TEST_USER])]);
  if (uid.code !== 0) throw new Error(`user ${TEST_USER} does not exist: run the tests through npm test, which creates it`);
  return { uid: Number(uid.out), gid: Number(gid.out) };
}

describe('the deb package', () => {
  it('its control fields come from electron-builder.yml', async () => {
    const field = async (name: string) => (await run('dpkg-deb', ['--field', deb, name])).out.trim();
    expect(await field('Package')).toBe('vitrine');
    expect(await field('Section')).toBe('games');
    expect(await field('Depends')).toContain('libvirt-clients, libvirt-daemon-system, qemu-system-x86, qemu-utils, ovmf, swtpm, swtpm-tools, xorriso, pciutils, polkitd | policykit-1, pkexec | policykit-1, nodejs (>= 18.19)');
    expect(await field('Recommends')).toBe('libappindicator3-1, virt-viewer');
    const info = await run('dpkg-deb', ['--info', deb]);
    expect(info.out).toMatch(/postinst/);
    expect(info.out).toMatch(/postrm/);
  });

  it('every dependency exists in this Debian', async (ctx) => {
    const listed = await run('apt-cache', ['pkgnames']);
    if (listed.code !== 0 || listed.out.trim() === '') ctx.skip('no apt package lists here (run apt-get update)');
    const known = new Set(listed.out.split('\n'));
    const fields = (await run('dpkg-deb', ['--field', deb, 'Depends'])).out.trim().split(', ');
    const missing = fields.filter((f) => !f.split('|').some((alt) => known.has(alt.trim().split(' ')[0]!)));
    expect(missing).toEqual([]);
  });

  it.skipIf(!asRoot)('installs the helper root-owned where the polkit policy points, with the command on PATH', async () => {
    // Over an earlier install: the extension-less helper and the root-only /var/lib/vitrine it left.
    mkdirSync(join(root, 'usr/lib/vitrine'), { recursive: true });
    writeFileSync(join(root, 'usr/lib/vitrine/vitrine-helper'), 'old');
    mkdirSync(join(root, 'var/lib/vitrine'), { recursive: true, mode: 0o700 });
    chmodSync(join(root, 'var/lib/vitrine'), 0o700);
    const installed = await dpkg('-i', deb);
    expect(installed.code, installed.out).toBe(0);
    const helper = statSync(join(root, INSTALLED_HELPER));
    expect([helper.uid, helper.gid, helper.mode & 0o7777]).toEqual([0, 0, 0o755]);
    expect(readFileSync(join(root, INSTALLED_HELPER))).toEqual(readFileSync(join(repoRoot, 'out', 'helper', 'vitrine-helper.mjs')));
    const policy = statSync(join(root, 'usr/share/polkit-1/actions/io.github.vitrine.helper.policy'));
    expect(policy.mode & 0o777).toBe(0o644);
    expect(readlinkSync(join(root, 'usr/bin/vitrine'))).toBe('/opt/Vitrine/vitrine');
    expect(INSTALLED_HELPER).toMatch(/\.mjs$/); // an ES module by its name, for every Node.js
    expect(existsSync(join(root, 'usr/lib/vitrine/vitrine-helper'))).toBe(false);
    // The change sets are listable without root (the copies inside are not: see below).
    for (const folder of ['var/lib/vitrine', 'var/lib/vitrine/backups']) {
      const info = statSync(join(root, folder));
      expect([folder, info.uid, info.gid, info.mode & 0o7777]).toEqual([folder, 0, 0, 0o755]);
    }
    // The installed helper runs on its own (everything bundled): no change sets in an empty root.
    mkdirSync(join(dir, 'empty-root'));
    const listed = await run(join(root, INSTALLED_HELPER), ['--root', join(dir, 'empty-root'), 'backups']);
    expect(listed).toEqual({ code: 0, out: '[]\n' });
  });

  it.skipIf(!asRoot)('the unprivileged user lists the change sets a real apply made; the backed-up copies stay root-only', async () => {
    // A host in the installed root, changed by the helper as root with a restrictive umask.
    writeFamilyRoot(FAMILIES[0]!, root);
    for (const folder of [dir, root]) chmodSync(folder, 0o755);
    const data = join(dir, 'data');
    const family = FAMILIES[0]!.request;
    const asRootUmask077 = (args: string[]) => spawned('sh', ['-c', 'umask 077 && exec "$@"', 'sh', process.execPath, cliPath, ...args], { XDG_DATA_HOME: data });
    const planned = await asRootUmask077(['setup', 'plan', '--root', root, '--gpu', family.gpu.join(','), '--user', family.user]);
    expect(planned.code, planned.out).toBe(0);
    const applied = await asRootUmask077(['setup', 'apply', '--root', root]);
    expect(applied.code, applied.out).toBe(0);
    const id = /Undo with: vitrine setup rollback (\S+)/.exec(applied.out)![1]!;

    const user = await testUser();
    const listed = await spawned(process.execPath, [cliPath, 'setup', 'backups', '--root', root], { XDG_DATA_HOME: join(dir, 'user-data'), HOME: dir }, user);
    expect(listed.out).toContain(`${id}  applied`);
    expect(listed.code).toBe(0);
    // Its copies of the host's files are root's alone: the user cannot list or read them.
    for (const copy of [`var/lib/vitrine/backups/${id}/files/etc/default/grub`, 'var/lib/vitrine/backups/original/etc/default/grub']) {
      expect(readFileSync(join(root, copy), 'utf8')).toContain('GRUB_CMDLINE_LINUX_DEFAULT="quiet"');
      const read = await spawned('cat', [join(root, copy)], {}, user);
      expect(read.out).toMatch(/Permission denied/);
    }
  });

  it.skipIf(!asRoot)("the installed helper starts with Debian's own Node.js, the version the deb depends on", async (ctx) => {
    const node = await debianNode();
    if ('missing' in node) return ctx.skip(node.missing);
    const floor = /^nodejs \(>= ([\d.]+)\)$/.exec((builderConfig().deb['depends'] as string[]).find((d) => d.startsWith('nodejs'))!)![1]!;
    expect((await run('dpkg', ['--compare-versions', node.packageVersion, 'ge', floor])).code, `${node.packageVersion} >= ${floor}`).toBe(0);
    const helper = join(root, INSTALLED_HELPER);
    const run18 = (args: string[], as?: { uid: number; gid: number }) => {
      const c = node.command(args, as);
      return spawned(c.file, c.args, c.env);
    };
    // No verb: its usage, exit 2 (it loaded and ran).
    const usage = await run18([helper]);
    expect(usage.out).toMatch(/usage: vitrine-helper/);
    expect(usage.code).toBe(2);
    // A verb that reads the change sets: the one made above, parsed by the helper's bundled code.
    const backups = await run18([helper, '--root', root, 'backups']);
    expect(backups.code, backups.out).toBe(0);
    expect((JSON.parse(backups.out) as { state: string }[]).map((m) => m.state)).toEqual(['applied']);
    // Why the name ends in .mjs: without it, Node 18 reads the same file as CommonJS and fails.
    copyFileSync(helper, join(dir, 'vitrine-helper'));
    const bare = await run18([join(dir, 'vitrine-helper')]);
    expect(bare.out).toMatch(/Cannot use import statement outside a module/);
    expect(bare.code).toBe(1);
  });

  it.skipIf(!asRoot)('removing it takes the helper, policy and command away; purging keeps the backups of host files', async () => {
    mkdirSync(join(root, 'var/lib/vitrine/backups/20261121-abc'), { recursive: true });
    writeFileSync(join(root, 'var/lib/vitrine/backups/20261121-abc/manifest.json'), '{}');
    const removed = await dpkg('-r', 'vitrine');
    expect(removed.code, removed.out).toBe(0);
    expect(existsSync(join(root, INSTALLED_HELPER))).toBe(false);
    expect(existsSync(join(root, 'usr/share/polkit-1/actions/io.github.vitrine.helper.policy'))).toBe(false);
    expect(() => lstatSync(join(root, 'usr/bin/vitrine'))).toThrow();
    const purged = await dpkg('-P', 'vitrine');
    expect(purged.code, purged.out).toBe(0);
    expect(purged.out).toContain('/var/lib/vitrine/backups is kept');
    expect(readFileSync(join(root, 'var/lib/vitrine/backups/20261121-abc/manifest.json'), 'utf8')).toBe('{}');
  });

  it.skipIf(!asRoot)('purging an install that changed nothing leaves no /var/lib/vitrine behind', async () => {
    const clean = dpkgRoot(join(dir, 'clean-root'));
    expect((await dpkgIn(clean, '-i', deb)).code).toBe(0);
    expect(statSync(join(clean, 'var/lib/vitrine/backups')).isDirectory()).toBe(true);
    const purged = await dpkgIn(clean, '-P', 'vitrine');
    expect(purged.code, purged.out).toBe(0);
    expect(purged.out).not.toContain('is kept');
    expect(existsSync(join(clean, 'var/lib/vitrine'))).toBe(false);
  });

  it('the desktop entry passes desktop-file-validate and says what the package says', async () => {
    const file = join(repoRoot, 'assets', 'io.github.vitrine.Vitrine.desktop');
    const checked = await run('desktop-file-validate', [file]);
    expect(checked).toEqual({ code: 0, out: '' });
    const text = readFileSync(file, 'utf8');
    const entry = (builderConfig().linux['desktop'] as { entry: Record<string, string> }).entry;
    for (const [key, value] of Object.entries(entry)) expect(text).toContain(`\n${key}=${value}\n`);
  });
});
