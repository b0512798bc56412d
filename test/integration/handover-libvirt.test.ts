import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAMILIES, writeFamilyRoot } from '../support/etc-trees';
import { handoverDomainXml, handoverHost, type HandoverHost } from '../support/handover-host';
import { textOf } from '../support/handover-tree';
import { FIXTURE_HOSTS } from '../support/hosts';
import { cliPath, tinyDomainXml } from '../support/session-libvirt';
import { parseDomainXml, serializeXml } from '../../main/libvirt/xml/document';
import { setHandover } from '../../main/libvirt/vitrine-metadata';
import { startSystemLibvirt, systemLibvirtMissing, type SystemLibvirt } from '../support/system-libvirt';

// Acceptance 2 of issue 17: a real system libvirtd (root, its own socket and
// config folders) runs the hook that `vitrine setup apply` installed, on
// start, on stop, and on a start that fails; the hook acts on the
// single-GPU fixture sysfs tree and a stand-in display manager, and gives
// everything back.

/** End the watchdogs the hook started under this test's daemon (its mount namespace) and their sleep. */
function endWatchdogs(namespace: string): void {
  const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  const cmd = (pid: string): string => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return '';
    }
  };
  const parent = (pid: string): string => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1] ?? '';
    } catch {
      return '';
    }
  };
  const space = (pid: string): string => {
    try {
      return readlinkSync(`/proc/${pid}/ns/mnt`);
    } catch {
      return '';
    }
  };
  const ours = pids.filter((p) => cmd(p).startsWith('/bin/sh\0/etc/libvirt/hooks/qemu\0') && space(p) === namespace);
  const children = pids.filter((p) => ours.includes(parent(p)));
  for (const pid of [...children, ...ours]) {
    try {
      process.kill(Number(pid), 'SIGTERM');
    } catch {
      // gone already
    }
  }
}

const missing = systemLibvirtMissing();
if (missing && process.env['CI']) throw new Error(`the system libvirt test cannot run: ${missing}`);

describe.skipIf(missing !== null)('the handover hook under a real system libvirtd', () => {
  let work: string;
  let host: HandoverHost;
  let libvirt: SystemLibvirt;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'vitrine-handover-libvirt-'));
    // Host preparation installs the hook into a scratch root, through the helper.
    const root = join(work, 'root');
    mkdirSync(root);
    const debian = FAMILIES.find((f) => f.name === 'debian-grub-initramfs-tools')!;
    writeFamilyRoot({ ...debian, host: FIXTURE_HOSTS.singleGpu }, root);
    const env = { ...process.env, XDG_DATA_HOME: join(work, 'data') };
    const run = (args: string[]): Promise<string> =>
      new Promise((done, fail) => execFile(process.execPath, [cliPath, ...args], { env, encoding: 'utf8' }, (e, out, err) => (e ? fail(new Error(err)) : done(out))));
    await run(['setup', 'plan', '--root', root, '--single-gpu', '--gpu', '0c:00.0,0c:00.1', '--user', 'alice', '--no-looking-glass-access']);
    await run(['setup', 'apply', '--root', root]);
    const hooks = join(root, 'etc/libvirt/hooks');
    expect(existsSync(join(hooks, 'qemu'))).toBe(true);
    // The test's settings: the fixture trees instead of /sys and /proc, the stand-in systemctl.
    host = handoverHost({ hooks, installHook: false, watchdog: 600 });
    libvirt = await startSystemLibvirt(work, hooks);
  }, 240_000);

  afterAll(async () => {
    const namespace = libvirt?.mountNamespace;
    await libvirt?.stop();
    if (namespace) endWatchdogs(namespace);
    host?.remove();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  const define = async (name: string, xml: string): Promise<void> => {
    const file = join(work, `${name}.xml`);
    writeFileSync(file, xml);
    await libvirt.virsh('define', file);
  };
  const fixture = (path: string): string => textOf(join(host.sys, path));
  const log = (name: string): string => textOf(join(host.log, `hook-${name}.log`));

  /** Everything as it was before any handover. */
  function expectHostWhole(): void {
    expect(fixture('class/vtconsole/vtcon1/bind')).toBe('1\n');
    expect(fixture('bus/pci/devices/0000:0c:00.0/driver_override')).not.toBe('vfio-pci\n');
    expect(fixture('bus/pci/devices/0000:0c:00.1/driver_override')).not.toBe('vfio-pci\n');
    expect(existsSync(join(host.proc, '900'))).toBe(true);
    expect(existsSync(join(host.state, 'win11.state'))).toBe(false);
  }

  it('start hands the card over, stop gives everything back', async () => {
    // The mark as Vitrine's own edit writes it (vm.applyEdits { handover: 'vm-start' }).
    const marked = serializeXml(setHandover(parseDomainXml(tinyDomainXml('win11')), 'vm-start'));
    expect(marked).toContain("<vitrine:handover mode='vm-start'/>");
    await define('win11', marked);
    // libvirt keeps Vitrine's mark in the form the hook reads.
    expect(await libvirt.virsh('dumpxml', 'win11')).toContain('      <vitrine:handover mode="vm-start"/>');
    await libvirt.virsh('start', 'win11');
    expect(textOf(host.systemctl.journal)).toContain('stop display-manager.service');
    expect(existsSync(join(host.proc, '900'))).toBe(false);
    expect(fixture('class/vtconsole/vtcon1/bind')).toBe('0\n');
    expect(fixture('bus/platform/drivers/efi-framebuffer/unbind')).toBe('efi-framebuffer.0\n');
    expect(fixture('bus/pci/drivers/amdgpu/unbind')).toBe('0000:0c:00.0\n');
    expect(fixture('bus/pci/drivers/snd_hda_intel/unbind')).toBe('0000:0c:00.1\n');
    expect(fixture('bus/pci/devices/0000:0c:00.0/driver_override')).toBe('vfio-pci\n');
    expect(existsSync(join(host.state, 'win11.state.running'))).toBe(true);
    expect(log('win11')).toContain('win11 is running');

    await libvirt.virsh('destroy', 'win11');
    expect(textOf(host.systemctl.journal).trim().split('\n').at(-1)).toBe('start display-manager.service');
    expect(fixture('bus/platform/drivers/efi-framebuffer/bind')).toBe('efi-framebuffer.0\n');
    expect(fixture('bus/pci/devices/0000:0c:00.0/driver_override')).toBe('\n');
    expectHostWhole();
    expect(log('win11')).toMatch(/release\/end: restored\n$/);
  }, 120_000);

  it('a start that fails after the handover (QEMU refuses its arguments) gives everything back too', async () => {
    appendFileSync(host.systemctl.journal, '-- failing start\n');
    const broken = handoverDomainXml('broken')
      .replace("<domain type='qemu'>", "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>")
      .replace('</devices>', "</devices>\n  <qemu:commandline>\n    <qemu:arg value='-no-such-option'/>\n  </qemu:commandline>");
    await define('broken', broken);
    const started = await libvirt.tryVirsh('start', 'broken');
    expect(started.code).not.toBe(0);
    expect(started.stderr).toContain('-no-such-option');
    const journal = textOf(host.systemctl.journal).split('-- failing start\n')[1]!;
    expect(journal).toContain('stop display-manager.service');
    expect(journal.trim().split('\n').at(-1)).toBe('start display-manager.service');
    expect(log('broken')).toContain('prepare/begin: the card is free');
    expect(log('broken')).toMatch(/release\/end: restored\n$/);
    expect(existsSync(join(host.state, 'broken.state'))).toBe(false);
    expectHostWhole();
  }, 120_000);

  it('a card still in use stops the start with the reason, and nothing stays changed', async () => {
    const { writeProcess } = await import('../support/handover-tree');
    writeProcess(host.proc, { pid: 1234, comm: 'steam', holds: ['/dev/dri/renderD128'] });
    try {
      await define('held', handoverDomainXml('held'));
      const started = await libvirt.tryVirsh('start', 'held');
      expect(started.code).not.toBe(0);
      expect(started.stderr).toContain('the driver is still in use: steam(1234)');
      expectHostWhole();
    } finally {
      rmSync(join(host.proc, '1234'), { recursive: true, force: true });
    }
  }, 120_000);

  it('a VM without the mark starts and stops with the host untouched', async () => {
    const before = readFileSync(host.systemctl.journal, 'utf8');
    await define('plain', handoverDomainXml('plain', null));
    await libvirt.virsh('start', 'plain');
    await libvirt.virsh('destroy', 'plain');
    expect(readFileSync(host.systemctl.journal, 'utf8')).toBe(before);
    expect(existsSync(join(host.log, 'hook-plain.log'))).toBe(false);
  }, 120_000);
});
