import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readlinkSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HANDOVER_HOOK_TEXT } from '../../main/setup/handover-plan';
import { handoverDomainXml, handoverHost, type HandoverHost } from '../support/handover-host';
import { textOf, writeProcess } from '../support/handover-tree';

// The handover hook run the way libvirt runs it (argv, the domain XML on
// stdin, as root) against the single-GPU fixture host and a stand-in display
// manager. The hook trusts its settings only when root owns them, hence root.

const isRoot = process.getuid?.() === 0;
const hasShellcheck = spawnSync('shellcheck', ['--version']).status === 0;
const hosts: HandoverHost[] = [];
afterEach(() => hosts.splice(0).forEach((h) => h.remove()));

function hook(host: HandoverHost, name: string, op: string, sub: string, xml = ''): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(join(host.hooks, 'qemu'), [name, op, sub, '-'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } }, (error, _out, stderr) => done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stderr }));
    child.stdin!.end(xml);
  });
}

const card = (host: HandoverHost, fn: string, file: string): string => textOf(join(host.sys, 'bus/pci/devices', `0000:0c:00.${fn}`, file));
const driverFile = (host: HandoverHost, driver: string, file: string): string => textOf(join(host.sys, 'bus/pci/drivers', driver, file));

describe('the hook program', () => {
  it('has no eval and no virsh, and is a plain POSIX sh script', () => {
    expect(HANDOVER_HOOK_TEXT).not.toMatch(/\beval\b/);
    expect(HANDOVER_HOOK_TEXT).not.toMatch(/\bvirsh\b/);
    expect(HANDOVER_HOOK_TEXT.startsWith('#!/bin/sh\n')).toBe(true);
  });

  it.skipIf(!hasShellcheck && !process.env['CI'])('passes shellcheck (all severities)', () => {
    const result = spawnSync('shellcheck', ['--shell=sh', '--severity=style', '-'], { input: HANDOVER_HOOK_TEXT, encoding: 'utf8' });
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });
});

describe.skipIf(!isRoot)('the hook on the single-GPU fixture host', () => {
  it('prepare frees the card; started marks it; release gives everything back in reverse order', async () => {
    const host = handoverHost();
    hosts.push(host);
    const prepared = await hook(host, 'win11', 'prepare', 'begin', handoverDomainXml('win11'));
    expect(prepared.stderr).toBe('');
    expect(prepared.code).toBe(0);
    // The display manager stopped (its process, which held card0, is gone).
    expect(textOf(host.systemctl.journal)).toBe('is-active display-manager.service\nstop display-manager.service\n');
    expect(existsSync(join(host.proc, '900'))).toBe(false);
    // The frame buffer console and the EFI framebuffer unbound; the dummy console untouched.
    expect(textOf(join(host.sys, 'class/vtconsole/vtcon1/bind'))).toBe('0\n');
    expect(textOf(join(host.sys, 'class/vtconsole/vtcon0/bind'))).toBe('1\n');
    expect(textOf(join(host.sys, 'bus/platform/drivers/efi-framebuffer/unbind'))).toBe('efi-framebuffer.0\n');
    // Each function off its own driver (not a module unload), driver_override for vfio-pci.
    expect(driverFile(host, 'amdgpu', 'unbind')).toBe('0000:0c:00.0\n');
    expect(driverFile(host, 'snd_hda_intel', 'unbind')).toBe('0000:0c:00.1\n');
    expect(card(host, '0', 'driver_override')).toBe('vfio-pci\n');
    expect(card(host, '1', 'driver_override')).toBe('vfio-pci\n');
    const state = textOf(join(host.state, 'win11.state'));
    expect(state).toBe('service display-manager.service\nvtcon vtcon1\nframebuffer efi-framebuffer efi-framebuffer.0\nunbound 0000:0c:00.0 amdgpu\nunbound 0000:0c:00.1 snd_hda_intel\n');

    expect((await hook(host, 'win11', 'start', 'begin', handoverDomainXml('win11'))).code).toBe(0);
    expect((await hook(host, 'win11', 'started', 'begin', handoverDomainXml('win11'))).code).toBe(0);
    expect(existsSync(join(host.state, 'win11.state.running'))).toBe(true);

    // The kernel would drop the driver links on unbind: the card then needs binding back.
    unlinkSync(join(host.sys, 'bus/pci/devices/0000:0c:00.0/driver'));
    const released = await hook(host, 'win11', 'release', 'end', handoverDomainXml('win11'));
    expect(released.code).toBe(0);
    expect(driverFile(host, 'amdgpu', 'bind')).toBe('0000:0c:00.0\n');
    // 0c:00.1 is still on snd_hda_intel (libvirt gave it back): no bind needed.
    expect(driverFile(host, 'snd_hda_intel', 'bind')).toBe('');
    expect(card(host, '0', 'driver_override')).toBe('\n');
    expect(textOf(join(host.sys, 'bus/platform/drivers/efi-framebuffer/bind'))).toBe('efi-framebuffer.0\n');
    expect(textOf(join(host.sys, 'class/vtconsole/vtcon1/bind'))).toBe('1\n');
    expect(textOf(host.systemctl.journal).split('\n').at(-2)).toBe('start display-manager.service');
    expect(readlinkSync(join(host.proc, '900', 'fd', '3'))).toBe('/dev/dri/card0');
    expect(existsSync(join(host.state, 'win11.state'))).toBe(false);
    const log = textOf(join(host.log, 'hook-win11.log'));
    // Reverse order: the card first, the display manager last.
    const order = ['to /bus/pci/drivers/amdgpu/bind', 'to /bus/platform/drivers/efi-framebuffer/bind', 'to /class/vtconsole/vtcon1/bind', 'started display-manager.service'].map((s) => log.lastIndexOf(s));
    expect(order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1]!))).toBe(true);
    expect(log).toContain('restored');
  });

  it('leaves a VM without the mark (or marked "boot") alone: nothing written, no log', async () => {
    const host = handoverHost();
    hosts.push(host);
    for (const xml of [handoverDomainXml('other', null), handoverDomainXml('other', 'boot'), handoverDomainXml('other').replace('urn:vitrine:vm:1', 'urn:someone-else:1')]) {
      expect((await hook(host, 'other', 'prepare', 'begin', xml)).code).toBe(0);
      expect((await hook(host, 'other', 'release', 'end', xml)).code).toBe(0);
    }
    // The mark in the description's text is not a mark.
    const inText = handoverDomainXml('other', null).replace('<metadata>', '<description>&lt;vitrine:handover mode="vm-start"/&gt;</description>\n  <metadata>');
    expect((await hook(host, 'other', 'prepare', 'begin', inText)).code).toBe(0);
    expect(textOf(host.systemctl.journal)).toBe('');
    expect(driverFile(host, 'amdgpu', 'unbind')).toBe('');
    expect(existsSync(host.log)).toBe(false);
  });

  it('refuses to start when something still holds the card, and restores what it had stopped', async () => {
    const host = handoverHost();
    hosts.push(host);
    writeProcess(host.proc, { pid: 1234, comm: 'steam', holds: ['/dev/dri/renderD128'] });
    // Another card's node held elsewhere does not count.
    writeProcess(host.proc, { pid: 1235, comm: 'obs', holds: ['/dev/dri/renderD129'] });
    const prepared = await hook(host, 'win11', 'prepare', 'begin', handoverDomainXml('win11'));
    expect(prepared.code).toBe(1);
    expect(prepared.stderr).toContain('steam(1234)');
    expect(prepared.stderr).not.toContain('obs');
    expect(driverFile(host, 'amdgpu', 'unbind')).toBe('');
    expect(textOf(join(host.sys, 'class/vtconsole/vtcon1/bind'))).toBe('1\n');
    expect(textOf(join(host.sys, 'bus/platform/drivers/efi-framebuffer/bind'))).toBe('efi-framebuffer.0\n');
    expect(textOf(host.systemctl.journal)).toContain('start display-manager.service');
    expect(existsSync(join(host.state, 'win11.state'))).toBe(false);
    expect(textOf(join(host.log, 'hook-win11.log'))).toContain('FAILED: the driver is still in use: steam(1234)');
  });

  it('the watchdog gives the card back when the VM never reaches running', async () => {
    const host = handoverHost({ watchdog: 1 });
    hosts.push(host);
    expect((await hook(host, 'win11', 'prepare', 'begin', handoverDomainXml('win11'))).code).toBe(0);
    expect(driverFile(host, 'amdgpu', 'unbind')).toBe('0000:0c:00.0\n');
    // Wait for the restore itself (no timing assertion: up to a minute on a busy machine).
    for (let i = 0; i < 600 && existsSync(join(host.state, 'win11.state')); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(join(host.state, 'win11.state'))).toBe(false);
    expect(textOf(join(host.log, 'hook-win11.log'))).toContain('watchdog: win11 did not reach running');
    expect(textOf(host.systemctl.journal)).toContain('start display-manager.service');
  });

  it('refuses a card handed over to another VM, settings another user can write, and a VM name it cannot use', async () => {
    const host = handoverHost();
    hosts.push(host);
    expect((await hook(host, 'first', 'prepare', 'begin', handoverDomainXml('first'))).code).toBe(0);
    const second = await hook(host, 'second', 'prepare', 'begin', handoverDomainXml('second'));
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('already handed over to the VM first');
    expect((await hook(host, 'first', 'release', 'end')).code).toBe(0);

    const badName = await hook(host, 'a b', 'prepare', 'begin', handoverDomainXml('a b'));
    expect(badName.code).toBe(1);
    expect(badName.stderr).toContain('cannot be used for a GPU handover');

    chmodSync(join(host.hooks, 'vitrine-handover.conf'), 0o666);
    const open = await hook(host, 'win11', 'prepare', 'begin', handoverDomainXml('win11'));
    expect(open.code).toBe(1);
    expect(open.stderr).toContain('not root-owned');
    // A link in place of the settings is not followed into trusting them either.
    rmSync(join(host.hooks, 'vitrine-handover.conf'));
    writeFileSync(join(host.dir, 'elsewhere.conf'), 'gpu=0000:0c:00.0\n', { mode: 0o666 });
    symlinkSync(join(host.dir, 'elsewhere.conf'), join(host.hooks, 'vitrine-handover.conf'));
    expect((await hook(host, 'win11', 'prepare', 'begin', handoverDomainXml('win11'))).code).toBe(1);
    expect(readFileSync(join(host.sys, 'bus/pci/drivers/amdgpu/unbind'), 'utf8')).toBe('0000:0c:00.0\n'); // from "first" only
  });
});
