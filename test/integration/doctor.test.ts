import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostCheck } from '../../shared/api';
import { tempHostTree, type HostSpec } from '../support/host-tree';
import { FIXTURE_HOSTS } from '../support/hosts';
import { cliPath } from '../support/session-libvirt';

function doctor(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cliPath, '--connect', 'test:///default', 'doctor', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const trees: { remove(): void }[] = [];
afterAll(() => trees.forEach((t) => t.remove()));

async function doctorJson(spec: HostSpec, all = true): Promise<HostCheck> {
  const tree = tempHostTree(spec);
  trees.push(tree);
  const roots = ['--sysfs-root', tree.sys, '--proc-root', tree.proc, ...(all ? ['--dev-root', tree.dev, '--modules-root', tree.modules] : [])];
  const { code, stdout, stderr } = await doctor(['--json', ...roots]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(stdout) as HostCheck;
}

const verdicts = (check: HostCheck): Record<string, { verdict: string; passWith: string[] }> =>
  Object.fromEntries(check.gpus.map((g) => [g.address, { verdict: g.verdict, passWith: g.passWith }]));

describe('vitrine doctor --json on the fixture hosts', () => {
  it('has the documented shape', async () => {
    const check = await doctorJson(FIXTURE_HOSTS.seed001Ryzen);
    for (const c of check.checks) {
      expect(Object.keys(c)).toEqual(expect.arrayContaining(['id', 'status', 'title', 'fix']));
      expect(['ok', 'warn', 'fail', 'unknown']).toContain(c.status);
    }
    const d = check.devices.find((x) => x.address === '0000:01:00.0')!;
    expect(d).toMatchObject({ class: '0x030000', vendorId: '10de', deviceId: '2206', driver: 'nouveau', iommuGroup: 12, resettable: true, bootVga: false });
    for (const device of check.devices) {
      expect(device.vendorId).toMatch(/^[0-9a-f]{4}$/);
      expect(device.deviceId).toMatch(/^[0-9a-f]{4}$/);
      expect(device.class).toMatch(/^0x[0-9a-f]{6}$/);
    }
    expect(check.gpus.map((g) => Object.keys(g))).toEqual(check.gpus.map(() => expect.arrayContaining(['address', 'verdict', 'passWith'])));
  });

  it.each([
    ['seed001Ryzen', { '0000:01:00.0': 'passable', '0000:10:00.0': 'boot-gpu' }],
    ['seed003Xeon', { '0000:00:02.0': 'boot-gpu', '0000:01:00.0': 'passable' }],
    ['seed003XeonPrepared', { '0000:00:02.0': 'boot-gpu', '0000:01:00.0': 'ready' }],
    ['seed000Z490', { '0000:00:02.0': 'boot-gpu', '0000:01:00.0': 'shares-group', '0000:07:00.0': 'passable' }],
    ['laptop', { '0000:00:02.0': 'boot-gpu', '0000:01:00.0': 'no-outputs' }],
    ['iommuOff', { '0000:0a:00.0': 'no-iommu', '0000:0b:00.0': 'no-iommu' }],
    ['singleGpu', { '0000:0c:00.0': 'boot-gpu' }],
  ] as const)('%s: the right verdicts', async (name, expected) => {
    const check = await doctorJson(FIXTURE_HOSTS[name]);
    expect(Object.fromEntries(Object.entries(verdicts(check)).map(([a, v]) => [a, v.verdict]))).toEqual(expected);
  });

  it('gives the right groups and passWith with only --sysfs-root and --proc-root', async () => {
    const check = await doctorJson(FIXTURE_HOSTS.seed003Xeon, false);
    expect(check.groups.find((g) => g.id === 1)?.devices).toEqual(['0000:00:01.0', '0000:01:00.0', '0000:01:00.1']);
    expect(verdicts(check)['0000:01:00.0']).toEqual({ verdict: 'passable', passWith: ['0000:01:00.0', '0000:01:00.1'] });
  });

  it('prints a readable checklist and group table', async () => {
    const tree = tempHostTree(FIXTURE_HOSTS.seed000Z490);
    trees.push(tree);
    const { code, stdout } = await doctor(['--sysfs-root', tree.sys, '--proc-root', tree.proc, '--dev-root', tree.dev, '--modules-root', tree.modules]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\[ ok \] IOMMU: The IOMMU is on: 14 IOMMU groups/m);
    expect(stdout).toMatch(/0000:01:00\.0 {2}shares-group/);
    expect(stdout).toContain('  group 12');
  });
});

describe('vitrine doctor on this machine', () => {
  it('gives a checklist and exits 0, whatever the host lacks', async () => {
    const { code, stdout } = await doctor(['--json']);
    expect(code).toBe(0);
    const check = JSON.parse(stdout) as HostCheck;
    expect(check.checks.map((c) => c.id)).toEqual(
      expect.arrayContaining(['cpu-virtualization', 'kvm', 'iommu', 'interrupt-remapping', 'vfio-modules', 'gpu', 'virsh', 'libvirt', 'firmware', 'swtpm', 'qemu-img', 'looking-glass-client']),
    );
    for (const c of check.checks) if (c.status !== 'ok') expect(c.fix, c.id).toBeTruthy();
  });

  it('refuses a sysfs root that does not exist with a clear message', async () => {
    const { code, stderr } = await doctor(['--sysfs-root', '/nonexistent/sys']);
    expect(code).not.toBe(0);
    expect(stderr).toContain("'/nonexistent/sys' is not a sysfs tree");
    expect(stderr).toContain('--sysfs-root');
  });
});
