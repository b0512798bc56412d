import { chmodSync, copyFileSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALLED_HELPER } from '../../main/setup/service';
import { builderConfig, debControl, renderTemplate, run } from '../support/deb';
import { repoRoot } from '../support/session-libvirt';

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
const dpkg = (...args: string[]) => run('dpkg', [`--root=${root}`, '--force-script-chrootless', '--force-depends', ...args]);

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
  root = join(dir, 'root');
  mkdirSync(join(root, 'var', 'lib', 'dpkg', 'info'), { recursive: true });
  mkdirSync(join(root, 'var', 'lib', 'dpkg', 'updates'), { recursive: true });
  writeFileSync(join(root, 'var', 'lib', 'dpkg', 'status'), '');
  writeFileSync(join(root, 'var', 'lib', 'dpkg', 'available'), '');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the deb package', () => {
  it('its control fields come from electron-builder.yml', async () => {
    const field = async (name: string) => (await run('dpkg-deb', ['--field', deb, name])).out.trim();
    expect(await field('Package')).toBe('vitrine');
    expect(await field('Section')).toBe('games');
    expect(await field('Depends')).toContain('libvirt-clients, libvirt-daemon-system, qemu-system-x86, qemu-utils, ovmf, swtpm, swtpm-tools, pciutils, polkitd | policykit-1, pkexec | policykit-1, nodejs (>= 18)');
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
    const installed = await dpkg('-i', deb);
    expect(installed.code, installed.out).toBe(0);
    const helper = statSync(join(root, INSTALLED_HELPER));
    expect([helper.uid, helper.gid, helper.mode & 0o7777]).toEqual([0, 0, 0o755]);
    expect(readFileSync(join(root, INSTALLED_HELPER))).toEqual(readFileSync(join(repoRoot, 'out', 'helper', 'vitrine-helper.mjs')));
    const policy = statSync(join(root, 'usr/share/polkit-1/actions/io.github.vitrine.helper.policy'));
    expect(policy.mode & 0o777).toBe(0o644);
    expect(readlinkSync(join(root, 'usr/bin/vitrine'))).toBe('/opt/Vitrine/vitrine');
    expect(statSync(join(root, 'var/lib/vitrine')).mode & 0o777).toBe(0o700);
    // The installed helper runs on its own (everything bundled): no change sets in an empty root.
    mkdirSync(join(dir, 'empty-root'));
    const listed = await run(join(root, INSTALLED_HELPER), ['backups', '--root', join(dir, 'empty-root')]);
    expect(listed).toEqual({ code: 0, out: '[]\n' });
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

  it('the desktop entry passes desktop-file-validate and says what the package says', async () => {
    const file = join(repoRoot, 'assets', 'io.github.vitrine.Vitrine.desktop');
    const checked = await run('desktop-file-validate', [file]);
    expect(checked).toEqual({ code: 0, out: '' });
    const text = readFileSync(file, 'utf8');
    const entry = (builderConfig().linux['desktop'] as { entry: Record<string, string> }).entry;
    for (const [key, value] of Object.entries(entry)) expect(text).toContain(`\n${key}=${value}\n`);
  });
});
