import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostPlan } from '../../shared/api';
import { FAMILIES, tempFamilyRoot, type HostFamily } from '../support/etc-trees';
import { cliPath } from '../support/session-libvirt';
import { snapshot, temps } from '../support/etc-snapshot';

// Hugepages reserved by host preparation, through the real CLI and root helper on
// scratch roots: planned, applied, checked, and undone byte for byte.

const dataHome = mkdtempSync(join(tmpdir(), 'vitrine-hugepages-data-'));
const cleanups: (() => void)[] = [() => rmSync(dataHome, { recursive: true, force: true })];
afterAll(() => cleanups.forEach((c) => c()));

function vitrine(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_DATA_HOME: dataHome } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const debian = FAMILIES.find((f) => f.name === 'debian-grub-initramfs-tools')!;

function newRoot(family: HostFamily, flags?: string[]): string {
  const root = tempFamilyRoot({ ...family, host: { ...family.host, cpu: { ...family.host.cpu, ...(flags ? { flags } : {}) }, memory: { totalGiB: 32, availableGiB: 28 } } });
  cleanups.push(root.remove);
  return root.dir;
}

async function plan(root: string, hugepages: string): Promise<HostPlan> {
  const result = await vitrine('setup', 'plan', '--root', root, '--hugepages', hugepages, '--user', 'alice', '--no-looking-glass-access', '--json');
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as HostPlan;
}

const POOL_2M = 'sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages';

describe('hugepages through the helper on a scratch root', () => {
  it('2 MiB pages: the sysctl file written, the runtime value and its way back recorded; undo restores every byte', async () => {
    const root = newRoot(debian);
    const before = snapshot(root);
    const planned = await plan(root, '2M:8GiB');
    expect(planned.steps.map((s) => (s.kind === 'write' ? s.path : s.argv.join(' ')))).toEqual(['/etc/sysctl.d/80-vitrine-hugepages.conf', 'sysctl -w vm.nr_hugepages=4096']);
    const applied = await vitrine('setup', 'apply');
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(readFileSync(join(root, 'etc/sysctl.d/80-vitrine-hugepages.conf'), 'utf8')).toBe((planned.steps[0] as { after: string }).after);
    // A kernel value is this machine's: never set from a scratch root.
    expect(applied.stdout).toContain('skipped on a scratch root: sysctl -w vm.nr_hugepages=4096');
    expect(applied.stdout).not.toContain('Reboot');

    const [record] = JSON.parse((await vitrine('setup', 'backups', '--root', root, '--json')).stdout) as { created: string[]; inverses: string[][] }[];
    expect(record!.created).toEqual(['/etc/sysctl.d/80-vitrine-hugepages.conf']);
    expect(record!.inverses).toEqual([['sysctl', '-w', 'vm.nr_hugepages=0']]);
    // The check: the pool is short (the scratch root's runtime value was not set), then has them.
    expect((await vitrine('setup', 'backups', '--root', root)).stdout).toContain('hugepages: the 2 MiB pool has only 0 of the 4096 pages asked');
    writeFileSync(join(root, POOL_2M), '4096\n');
    expect((await vitrine('setup', 'backups', '--root', root)).stdout).toContain('hugepages checked: the 2 MiB pool has 4096 pages (asked 4096)');
    expect((await plan(root, '2M:4096')).steps).toEqual([]);

    const undoPlan = await vitrine('setup', 'rollback', '--root', root, '--plan');
    expect(undoPlan.stdout).toContain('/etc/sysctl.d/80-vitrine-hugepages.conf (removed)');
    expect(undoPlan.stdout).toContain('$ sysctl -w vm.nr_hugepages=0');
    expect(undoPlan.stdout).not.toContain('A reboot is needed');
    const undone = await vitrine('setup', 'rollback', '--root', root, '--yes');
    expect(undone.code).toBe(0);
    expect(undone.stdout).toContain('skipped on a scratch root: sysctl -w vm.nr_hugepages=0');
    expect(snapshot(root)).toEqual(before);
    expect(existsSync(join(root, 'etc/sysctl.d'))).toBe(false);
    expect(temps(root)).toEqual([]);
  });

  it('1 GiB pages: the kernel parameters through GRUB, checked after the reboot; undo restores every byte', async () => {
    const root = newRoot(debian, ['fpu', 'vme', 'de', 'pse', 'vmx', 'pdpe1gb']);
    const before = snapshot(root);
    const planned = await plan(root, '1G:16');
    const applied = await vitrine('setup', 'apply');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('skipped on a scratch root: update-grub');
    expect(readFileSync(join(root, 'etc/default/grub'), 'utf8')).toContain('GRUB_CMDLINE_LINUX_DEFAULT="quiet default_hugepagesz=1G hugepagesz=1G hugepages=16"');
    for (const step of planned.steps) if (step.kind === 'write' && step.after !== null) expect(readFileSync(join(root, step.path), 'utf8'), step.path).toBe(step.after);
    // Same boot: the pages come at the next one.
    expect((await vitrine('setup', 'backups', '--root', root)).stdout).toContain('hugepages: 16 pages of 1 GiB come at the next boot');

    const undone = await vitrine('setup', 'rollback', '--root', root, '--yes');
    expect(undone.code).toBe(0);
    expect(undone.stdout).toContain('skipped on a scratch root: update-grub');
    expect(snapshot(root)).toEqual(before);
    expect(existsSync(join(root, 'var/lib/vitrine/RECOVERY.txt'))).toBe(false);
    expect(existsSync(join(root, 'etc/grub.d/35_vitrine_without_passthrough'))).toBe(false);
  });

  it('refuses, saying why, what the host cannot give; nothing is planned', async () => {
    const root = newRoot(debian);
    const noGiga = await vitrine('setup', 'plan', '--root', root, '--hugepages', '1G:4', '--user', 'alice', '--no-looking-glass-access');
    expect(noGiga.code).not.toBe(0);
    expect(noGiga.stderr).toContain('This processor cannot map 1 GiB pages (pdpe1gb is not among its flags in /proc/cpuinfo).');
    expect(noGiga.stderr).toContain('Reserve 2 MiB pages instead');
    const tooMuch = await vitrine('setup', 'plan', '--root', root, '--hugepages', '2M:31GiB', '--user', 'alice', '--no-looking-glass-access');
    expect(tooMuch.code).not.toBe(0);
    expect(tooMuch.stderr).toContain('Vitrine keeps at least 3,277 MiB for the host');
    const bad = await vitrine('setup', 'plan', '--root', root, '--hugepages', '3M:4', '--user', 'alice');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("'3M:4' is not SIZE:COUNT or SIZE:MEMORY");
  });
});
