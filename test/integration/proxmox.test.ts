import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { QmPreview } from '../../main/proxmox/edit';
import { FAMILIES, writeFamilyRoot } from '../support/etc-trees';
import { writeProxmoxTools, writePveBin } from '../support/proxmox';
import { cliPath, repoRoot } from '../support/session-libvirt';

const helper = join(repoRoot, 'out', 'helper', 'vitrine-helper.mjs');
const fixtures = join(repoRoot, 'test', 'fixtures', 'proxmox');
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
const vitrine = (args: string[], env: NodeJS.ProcessEnv = {}) => run(process.execPath, [cliPath, ...args], env);

const SEED000 = readFileSync(join(fixtures, 'seed000-win10.qm-config.txt'), 'utf8');
// The .conf file of seed 001's VM as Proxmox keeps it: a description, the configuration, a snapshot taken before the GPU.
const SEED001_CONF = `#GPU desktop (seed 001)\n${readFileSync(join(fixtures, 'seed001-ubuntu.qm-config.txt'), 'utf8')}\n[before-gpu]\nbios: ovmf\nmachine: q35\nsnaptime: 1708800000\n`;

function newRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'vitrine-proxmox-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  writeProxmoxTools(root, { 100: SEED001_CONF, 101: SEED000 });
  return root;
}
const conf = (root: string, id: number): string => readFileSync(join(root, 'etc', 'pve', 'qemu-server', `${id}.conf`), 'utf8');
const qmLog = (root: string): string[][] =>
  readFileSync(join(root, 'qm.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as string[]);

describe('a Proxmox VM through qm (stand-in qm and pvesh on a scratch root)', () => {
  it('lists the VMs and shows a VM’s passthrough state', async () => {
    const root = newRoot();
    const vms = await vitrine(['proxmox', 'vms', '--root', root, '--json']);
    expect(vms.stderr).toBe('');
    expect(JSON.parse(vms.stdout)).toEqual([
      { vmid: 100, name: 'gpu-desktop', status: 'stopped' },
      { vmid: 101, name: 'game-dirty', status: 'stopped' },
    ]);
    const shown = await vitrine(['proxmox', 'show', '100', '--root', root]);
    expect(shown.stdout).toContain('hostpci0: 0000:01:00 (all functions) pcie');
    expect(shown.stdout).toContain('Problem: NVIDIA drivers before 465 stop with Code 43');
    const missing = await vitrine(['proxmox', 'show', '105', '--root', root]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("Configuration file 'nodes/pve/qemu-server/105.conf' does not exist — List the VMs with vitrine proxmox vms.");
  });

  it('the preview is the golden, the helper runs exactly its argv, and undo gives the .conf back byte for byte', async () => {
    const root = newRoot();
    const original = conf(root, 100);
    const args = ['--root', root, '--gpu', '0000:01:00', '--usb', '046d:c52b,1532:0084'];
    const shown = await vitrine(['proxmox', 'preview', '100', ...args]);
    expect(shown.stderr).toBe('');
    expect(shown.stdout).toBe(readFileSync(join(fixtures, 'seed001-ubuntu.preview.txt'), 'utf8'));
    const preview = JSON.parse((await vitrine(['proxmox', 'preview', '100', ...args, '--json'])).stdout) as QmPreview;

    const applied = await vitrine(['proxmox', 'apply', '100', ...args]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/Undo with: vitrine proxmox undo \S+-100 --root /);
    const sets = qmLog(root).filter((a) => a[1] === 'set');
    expect(sets).toEqual([preview.argv]);
    const after = conf(root, 100);
    for (const c of preview.changes) expect(after).toContain(`\n${c.key}: ${c.after}\n`);
    expect(after).toContain('#GPU desktop (seed 001)\n');
    expect(after).toContain('[before-gpu]\nbios: ovmf\n');
    expect((await vitrine(['proxmox', 'preview', '100', ...args])).stdout).toBe('VM 100 (gpu-desktop): nothing to change, the passthrough lines are already there.\n');

    const shownUndo = await vitrine(['proxmox', 'undo', '--plan', '--root', root]);
    expect(shownUndo.stdout).toContain(`  $ ${preview.undoArgv.join(' ')}\n`);
    expect(shownUndo.stdout).toContain('-vga: none\n');
    expect(conf(root, 100)).toBe(after);
    const undone = await vitrine(['proxmox', 'undo', '--root', root]);
    expect(undone.stderr).toBe('');
    expect(undone.code).toBe(0);
    expect(qmLog(root).filter((a) => a[1] === 'set').at(-1)).toEqual(preview.undoArgv);
    expect(conf(root, 100)).toBe(original);
    const again = await vitrine(['proxmox', 'undo', '--root', root]);
    expect(again.stderr).toContain('No VM change to undo.');
  });

  it('seed 000’s VM: every line is new, so undo deletes them all; the .conf comes back', async () => {
    const root = newRoot();
    const original = conf(root, 101);
    const applied = await vitrine(['proxmox', 'apply', '101', '--root', root, '--gpu', '0000:01:00', '--hv-vendor-id', 'NV43FIX', '--usb', '046d:c52b']);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain(readFileSync(join(fixtures, 'seed000-win10.preview.txt'), 'utf8'));
    expect(await vitrine(['proxmox', 'undo', '--root', root])).toMatchObject({ code: 0 });
    expect(qmLog(root).at(-1)).toEqual(['qm', 'set', '101', '--delete', 'hostpci0,machine,bios,cpu,vga,usb0']);
    expect(conf(root, 101)).toBe(original);
  });

  it('the helper previews for itself: a swapped id, a VM changed since, a crafted request are refused, nothing changed', async () => {
    const root = newRoot();
    const original = conf(root, 100);
    const request = { vmid: 100, gpu: '0000:01:00' };
    const preview = JSON.parse((await vitrine(['proxmox', 'preview', '100', '--root', root, '--gpu', '0000:01:00', '--json'])).stdout) as QmPreview;
    const swapped = await run(process.execPath, [helper, '--root', root, 'qm-set', '100', 'a'.repeat(64), JSON.stringify(request)]);
    expect(swapped.code).toBe(11);
    writeFileSync(join(root, 'etc', 'pve', 'qemu-server', '100.conf'), original.replace('cpu: x86-64-v2-AES', 'cpu: kvm64'));
    const changed = await run(process.execPath, [helper, '--root', root, 'qm-set', '100', preview.id, JSON.stringify(request)]);
    expect(changed.code).toBe(11);
    expect(changed.stderr).toContain('it changed since. Nothing was changed; preview again.');
    const crafted = await run(process.execPath, [helper, '--root', root, 'qm-set', '100', preview.id, JSON.stringify({ ...request, args: '-device vfio-pci' })]);
    expect(crafted.code).toBe(3);
    const wrongVm = await run(process.execPath, [helper, '--root', root, 'qm-set', '101', preview.id, JSON.stringify(request)]);
    expect(wrongVm.code).toBe(3);
    const badRom = await vitrine(['proxmox', 'preview', '100', '--root', root, '--gpu', '0000:01:00', '--romfile', '/etc/shadow']);
    expect(badRom.stderr).toContain("--romfile: '/etc/shadow' is not a file name in /usr/share/kvm");
    expect(qmLog(root).some((a) => a[1] === 'set')).toBe(false);
  });

  it('undo refuses when a changed line was edited since (the edit would be lost)', async () => {
    const root = newRoot();
    expect((await vitrine(['proxmox', 'apply', '100', '--root', root, '--gpu', '0000:01:00'])).code).toBe(0);
    const file = join(root, 'etc', 'pve', 'qemu-server', '100.conf');
    writeFileSync(file, readFileSync(file, 'utf8').replace('vga: none', 'vga: std'));
    const undone = await vitrine(['proxmox', 'undo', '--root', root]);
    expect(undone.code).toBe(1);
    expect(undone.stderr).toContain("vga of VM 100 changed after Vitrine's change; undoing would lose that edit. Previous values: vga: (none).");
  });

  it('starts and stops through qm', async () => {
    const root = newRoot();
    for (const action of ['start', 'shutdown', 'stop']) expect(await vitrine(['proxmox', action, '100', '--root', root])).toMatchObject({ code: 0, stderr: '' });
    expect(qmLog(root)).toEqual([
      ['qm', 'start', '100'],
      ['qm', 'shutdown', '100'],
      ['qm', 'stop', '100'],
    ]);
    const bad = await vitrine(['proxmox', 'start', '42', '--root', root]);
    expect(bad.stderr).toBe("vitrine: '42' is not a Proxmox VM id (100 to 999999999). — vitrine proxmox vms lists the VMs with their ids.\n");
  });
});

describe('vitrine doctor on a Proxmox fixture host (seed 001: update-grub never run)', () => {
  it('says Proxmox VE and what differs, and names update-grub as the command that was not run', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vitrine-pve-doctor-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    writeFamilyRoot(FAMILIES.find((f) => f.name === 'proxmox-grub-seed001')!, root);
    writePveBin(join(root, 'bin'));
    const result = await vitrine(['doctor', '--json', '--sysfs-root', join(root, 'sys'), '--proc-root', join(root, 'proc'), '--dev-root', join(root, 'dev'), '--etc-root', join(root, 'etc')], { PATH: `${join(root, 'bin')}:${process.env['PATH']}` });
    const checks = Object.fromEntries((JSON.parse(result.stdout) as { checks: { id: string; status: string; title: string; detail: string; fix: string | null }[] }).checks.map((c) => [c.id, c]));
    expect(checks['proxmox']).toMatchObject({ status: 'ok', title: 'Proxmox VE 8.2.4' });
    expect(checks['qm']).toMatchObject({ status: 'ok' });
    expect(checks['virsh']).toBeUndefined();
    expect(checks['boot-config-applied']).toMatchObject({ status: 'warn', fix: 'Run: sudo update-grub, then reboot.' });
    expect(checks['boot-config-applied']!.detail).toContain('update-grub was not run');
  });
});
