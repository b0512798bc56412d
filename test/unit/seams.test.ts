import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gatherEnvironment } from '../../main/host/environment';
import { detectFirmware } from '../../main/host/firmware';
import { DEFAULT_ROOTS, hostPath, hostRoots } from '../../main/host/roots';
import { vmDefaults } from '../../main/libvirt/vm-defaults';
import { elevationFor, pkexecElevation, scratchRootElevation } from '../../main/setup/elevation';
import { SetupService } from '../../main/setup/service';
import { VitrineError } from '../../main/common/errors';

const scratch = mkdtempSync(join(tmpdir(), 'vitrine-seams-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function write(path: string, text = ''): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

describe('the host root seam', () => {
  it('maps host paths under their roots, and is the identity on the real host', () => {
    const roots = hostRoots({ sys: '/t/sys', proc: '/t/proc', dev: '/t/dev', etc: '/t/etc', root: '/t' });
    expect(hostPath(roots, '/etc/os-release')).toBe('/t/etc/os-release');
    expect(hostPath(roots, '/dev/kvm')).toBe('/t/dev/kvm');
    expect(hostPath(roots, '/sys/bus/pci')).toBe('/t/sys/bus/pci');
    expect(hostPath(roots, '/proc/cpuinfo')).toBe('/t/proc/cpuinfo');
    expect(hostPath(roots, '/usr/share/OVMF/OVMF_CODE_4M.fd')).toBe('/t/usr/share/OVMF/OVMF_CODE_4M.fd');
    expect(hostPath(roots, '/etc')).toBe('/t/etc');
    expect(hostPath(roots, '/etcetera/x')).toBe('/t/etcetera/x');
    for (const path of ['/etc/group', '/dev/kvm', '/usr/share/qemu/firmware/60-edk2.json', '/sys/module']) expect(hostPath(DEFAULT_ROOTS, path)).toBe(path);
  });

  it('finds OVMF through the roots and reports the host paths', async () => {
    const root = join(scratch, 'firmware');
    const etc = join(root, 'etc');
    write(join(root, 'usr/share/OVMF/OVMF_CODE_4M.fd'));
    write(join(root, 'usr/share/OVMF/OVMF_VARS_4M.fd'));
    write(join(root, 'usr/share/edk2/custom/CODE.secboot.fd'));
    write(join(root, 'usr/share/edk2/custom/VARS.ms.fd'));
    const descriptor = {
      'interface-types': ['uefi'],
      mapping: { device: 'flash', executable: { filename: '/usr/share/edk2/custom/CODE.secboot.fd' }, 'nvram-template': { filename: '/usr/share/edk2/custom/VARS.ms.fd' } },
      targets: [{ architecture: 'x86_64', machines: ['pc-q35-*'] }],
      features: ['secure-boot', 'enrolled-keys'],
    };
    write(join(etc, 'qemu/firmware/50-custom.json'), JSON.stringify(descriptor));
    const firmware = await detectFirmware(hostRoots({ etc, root }));
    expect(firmware.plain).toEqual({ code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.fd', source: 'known path' });
    expect(firmware.secureBoot).toEqual({ code: '/usr/share/edk2/custom/CODE.secboot.fd', vars: '/usr/share/edk2/custom/VARS.ms.fd', source: '/etc/qemu/firmware/50-custom.json' });
    expect(await detectFirmware(hostRoots({ etc: join(scratch, 'none'), root: join(scratch, 'none') }))).toEqual({ plain: null, secureBoot: null });
  });

  it('reads os-release and group through the etc root', async () => {
    const etc = join(scratch, 'env-etc');
    write(join(etc, 'os-release'), 'PRETTY_NAME="Fedora Linux 40"\nID=fedora\n');
    write(join(etc, 'group'), 'kvm:x:36:somebody-else\n');
    const env = await gatherEnvironment('test:///default', () => Promise.reject(new Error('no libvirt here')), hostRoots({ etc, root: join(scratch, 'none') }));
    expect(env.os).toEqual({ family: 'fedora', name: 'Fedora Linux 40' });
    expect(env.user.configuredGroups).toEqual([]);
    expect(env.firmware).toEqual({ plain: null, secureBoot: null });
  });

  it('looks for /dev/kvm under the dev root for the VM form', async () => {
    const dev = join(scratch, 'dev');
    mkdirSync(dev, { recursive: true });
    expect((await vmDefaults('qemu:///session', [], new Set(), null, { dev })).kvmUsable).toBe(false);
    write(join(dev, 'kvm'));
    expect((await vmDefaults('qemu:///session', [], new Set(), null, { dev })).kvmUsable).toBe(true);
  });
});

describe('elevation', () => {
  const located = () => ({ argv: ['/usr/lib/vitrine/vitrine-helper'], prompt: 'policy' as const });

  it('is chosen from the setup root: pkexec for none or /, a scratch root otherwise', () => {
    expect(elevationFor(undefined).root).toBe('/');
    expect(elevationFor('/').root).toBe('/');
    expect(elevationFor(join(scratch, 'x')).root).toBe(join(scratch, 'x'));
    expect(() => scratchRootElevation('/')).toThrow(VitrineError);
  });

  it("says what pkexec's prompt will be, or why there is none", () => {
    expect(pkexecElevation(located).prompt()).toEqual({ kind: 'policy', program: '/usr/lib/vitrine/vitrine-helper' });
    const missing = pkexecElevation(() => {
      throw new VitrineError({ kind: 'no-helper', message: 'The root helper is not built or installed.', hint: '' });
    });
    expect(missing.prompt()).toEqual({ kind: 'unavailable', reason: 'The root helper is not built or installed.' });
    expect(scratchRootElevation(scratch, located).prompt()).toBeNull();
  });

  it("scans a scratch root's own sysfs tree when it has one, else the app's roots", () => {
    const withSys = join(scratch, 'with-sys');
    mkdirSync(join(withSys, 'sys', 'bus', 'pci', 'devices'), { recursive: true });
    expect(scratchRootElevation(withSys).hostRoots(DEFAULT_ROOTS)).toMatchObject({ sys: join(withSys, 'sys'), proc: join(withSys, 'proc'), dev: join(withSys, 'dev'), modules: join(withSys, 'lib', 'modules') });
    expect(scratchRootElevation(join(scratch, 'bare')).hostRoots(DEFAULT_ROOTS)).toBe(DEFAULT_ROOTS);
    expect(pkexecElevation(located).hostRoots(DEFAULT_ROOTS)).toBe(DEFAULT_ROOTS);
  });

  it('SetupService works on its elevation only: a plan made for another root is refused', async () => {
    const dataDir = join(scratch, 'data');
    const setup = new SetupService(dataDir, DEFAULT_ROOTS, scratchRootElevation(join(scratch, 'host-a'), located));
    expect(setup.root).toBe(join(scratch, 'host-a'));
    expect(setup.prompt()).toBeNull();
    await expect(setup.backups()).resolves.toEqual([]);
    write(join(dataDir, 'plans', 'last-plan.json'), JSON.stringify({ root: '/', request: { gpu: [], lookingGlass: null, user: 'alice' }, plan: { id: 'p1', steps: [] } }));
    await expect(setup.apply()).rejects.toMatchObject({ kind: 'setup-root' });
  });
});
