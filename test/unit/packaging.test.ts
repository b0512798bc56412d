import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// electron-builder's own configuration check, against its scheme.json.
import { validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import FpmTargetModule from 'app-builder-lib/out/targets/FpmTarget.js';
import { INSTALLED_HELPER, locateHelper } from '../../main/setup/service';
import { builderConfig, packageJson, renderTemplate } from '../support/deb';
import { repoRoot } from '../support/session-libvirt';

const quietLogger = { add: () => undefined, isEnabled: false };

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema", async () => {
    await expect(validateConfiguration(builderConfig() as never, quietLogger as never)).resolves.toBeUndefined();
  }, 60_000); // the first run loads electron-builder's schema

  it('the check is live: a wrong key is refused', async () => {
    const bad = { ...builderConfig(), linux: { ...builderConfig().linux, iconz: 'x' } };
    await expect(validateConfiguration(bad as never, quietLogger as never)).rejects.toThrow(/configuration\.linux should be/);
  });

  it("the deb depends on Electron's own libraries (a depends list replaces electron-builder's) and on what Vitrine runs", () => {
    type Fpm = { prototype: { getDefaultDepends(t: string): string[]; getDefaultRecommends(t: string): string[] } };
    const mod = FpmTargetModule as unknown as Fpm & { default?: Fpm };
    const FpmTarget = mod.default ?? mod;
    const depends = builderConfig().deb['depends'] as string[];
    for (const lib of FpmTarget.prototype.getDefaultDepends.call({}, 'deb')) expect(depends).toContain(lib);
    for (const lib of FpmTarget.prototype.getDefaultRecommends.call({}, 'deb')) expect(builderConfig().deb['recommends']).toContain(lib);
    const names = depends.flatMap((d) => d.split('|').map((alt) => alt.trim().split(' ')[0]!));
    for (const needed of ['libvirt-clients', 'qemu-system-x86', 'qemu-utils', 'ovmf', 'swtpm', 'pkexec', 'polkitd', 'nodejs', 'pciutils']) expect(names).toContain(needed);
    for (const name of names) expect(name).toMatch(/^[a-z0-9][a-z0-9+.-]+$/);
  });

  it('has what fpm needs for a deb: a maintainer with an email, a homepage, a license', () => {
    expect(builderConfig().linux['maintainer']).toMatch(/^.+ <[^@\s]+@[^@\s]+>$/);
    expect(packageJson().homepage).toMatch(/^https:\/\//);
    expect(packageJson().license).toBeTruthy();
  });

  it('ships the helper, its policy and the tray icons outside the asar archive', () => {
    const extra = builderConfig()['extraResources'] as { from: string; to: string }[];
    expect(extra.map((e) => e.to)).toEqual(['helper/vitrine-helper.mjs', 'helper/io.github.vitrine.helper.policy', 'tray']);
  });

  it('the maintainer scripts use only the macros electron-builder defines, and install the helper where the policy allows it', () => {
    const values = { executable: 'vitrine', sanitizedProductName: 'Vitrine', productFilename: 'Vitrine' };
    const post = renderTemplate(readFileSync(join(repoRoot, 'assets/deb/after-install.tpl'), 'utf8'), values);
    renderTemplate(readFileSync(join(repoRoot, 'assets/deb/after-remove.tpl'), 'utf8'), values);
    const policy = readFileSync(join(repoRoot, 'assets/io.github.vitrine.helper.policy'), 'utf8');
    expect(policy).toContain(`<annotate key="org.freedesktop.policykit.exec.path">${INSTALLED_HELPER}</annotate>`);
    expect(post).toContain(`"$ROOT${INSTALLED_HELPER}"`);
    const remove = renderTemplate(readFileSync(join(repoRoot, 'assets/deb/after-remove.tpl'), 'utf8'), values);
    expect(remove).toContain(`"$ROOT${INSTALLED_HELPER}"`);
  });

  it('installs the helper as an ES module by its name (.mjs), which every Node.js loads as one', () => {
    // An extension-less file is read by Node 18 as CommonJS, and the bundle's `import` lines fail.
    expect(INSTALLED_HELPER).toBe('/usr/lib/vitrine/vitrine-helper.mjs');
    const helperConfig = readFileSync(join(repoRoot, 'helper.vite.config.ts'), 'utf8');
    expect(helperConfig).toMatch(/format: 'es', entryFileNames: 'vitrine-helper\.mjs'/);
  });

  it("the deb's nodejs dependency is the Node.js the helper is built for", () => {
    const target = /target: 'node([\d.]+)'/.exec(readFileSync(join(repoRoot, 'helper.vite.config.ts'), 'utf8'))?.[1];
    const nodejs = (builderConfig().deb['depends'] as string[]).filter((d) => /^nodejs\b/.test(d));
    expect(nodejs).toEqual([`nodejs (>= ${target})`]);
    // Debian 12 ships 18.19 and later, Ubuntu 24.04 18.19.1: the floor must not be above them.
    expect(target).toBe('18.19');
  });
});

describe('icons', () => {
  /** Width and height from a PNG's IHDR chunk. */
  const pngSize = (file: string): [number, number] => {
    const b = readFileSync(file);
    expect(b.subarray(1, 4).toString()).toBe('PNG');
    return [b.readUInt32BE(16), b.readUInt32BE(20)];
  };
  it('the app icon at every hicolor size (only those: electron-builder takes the folder), and a symbolic one for panels', () => {
    const dir = join(repoRoot, 'assets', 'icons');
    const sizes = [16, 24, 32, 48, 64, 128, 256, 512];
    for (const size of sizes) expect(pngSize(join(dir, `${size}x${size}.png`))).toEqual([size, size]);
    expect(readdirSync(dir).sort()).toEqual(sizes.map((s) => `${s}x${s}.png`).sort());
    expect(readdirSync(join(repoRoot, 'assets', 'tray'))).toContain('vitrine-symbolic.svg');
  });
  it('the tray icons for each state, at 1× and 2×', () => {
    for (const state of ['idle', 'running', 'attention']) {
      expect(pngSize(join(repoRoot, 'assets', 'tray', `tray-${state}.png`))).toEqual([32, 32]);
      expect(pngSize(join(repoRoot, 'assets', 'tray', `tray-${state}@2x.png`))).toEqual([64, 64]);
    }
  });
});

describe('where the root helper comes from', () => {
  const only = (...paths: string[]) => (p: string) => paths.includes(p);
  it('the deb: the root-owned copy, with Vitrine\'s own prompt', () => {
    expect(locateHelper('/opt/Vitrine/resources', only(INSTALLED_HELPER))).toEqual({ argv: [INSTALLED_HELPER], prompt: 'policy' });
  });
  it("an AppImage: its bundled copy through the system's node, polkit's generic prompt", () => {
    const bundled = '/tmp/.mount_VitrXYZ/resources/helper/vitrine-helper.mjs';
    expect(locateHelper('/tmp/.mount_VitrXYZ/resources', only(bundled, '/usr/bin/node'))).toEqual({ argv: ['/usr/bin/node', bundled], prompt: 'generic-node' });
  });
  it('an AppImage without Node.js: says to install the deb or nodejs', () => {
    expect(() => locateHelper('/tmp/.mount_VitrXYZ/resources', only('/tmp/.mount_VitrXYZ/resources/helper/vitrine-helper.mjs'))).toThrow(/Node.js is not installed/);
  });
});
