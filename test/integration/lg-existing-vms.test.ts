import { chownSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientLaunch } from '../../shared/api';
import { createSessionUser, runCli, type SessionUser } from '../support/session-libvirt';
import { FAKE_CLIENT } from '../support/shm';

// Issue 16, acceptance 2: `vitrine lg check` on VMs shaped like the ones people
// already have (shared/reference/looking-glass.md, "Existing VMs"; the domains
// are test/fixtures/lookingglass/vms), defined in a real qemu:///session.
const dir = join(import.meta.dirname, '..', 'fixtures', 'lookingglass', 'vms');
const VMS = [
  { file: 'shmem-looking-glass.xml', name: 'lgx-shmem', mode: 'shmem', device: 'looking-glass', path: '/dev/shm/looking-glass', size: 32 },
  { file: 'scream-and-looking-glass.xml', name: 'lgx-scream', mode: 'shmem', device: 'looking-glass', path: '/dev/shm/looking-glass', size: 64 },
  { file: 'shmem-other-name.xml', name: 'lgx-renamed', mode: 'shmem', device: 'ivshmem0', path: '/dev/shm/ivshmem0', size: 128 },
  { file: 'kvmfr-json.xml', name: 'lgx-kvmfr-json', mode: 'kvmfr', device: 'looking-glass', path: '/dev/kvmfr0', size: 64 },
  { file: 'kvmfr-old-syntax.xml', name: 'lgx-kvmfr-old', mode: 'kvmfr', device: 'looking-glass', path: '/dev/kvmfr0', size: 128 },
] as const;

let user: SessionUser;
const vitrine = (...args: string[]) => runCli(user, ['--connect', 'qemu:///session', ...args]);

beforeAll(async () => {
  user = await createSessionUser();
  for (const file of [...VMS.map((v) => v.file), 'scream-only.xml']) {
    const target = join(user.home, file);
    writeFileSync(target, readFileSync(join(dir, file), 'utf8'));
    if (process.getuid?.() === 0) chownSync(target, user.uid, user.gid);
    await user.virsh('define', target);
  }
}, 120_000);
afterAll(async () => {
  await user?.cleanup();
});

describe('vitrine lg check on existing VMs', () => {
  it.each(VMS)('$file: $mode device $device, $size MiB at $path', async (vm) => {
    const json = await vitrine('--client', FAKE_CLIENT, 'lg', 'check', vm.name, '--json');
    const launch = JSON.parse(json.stdout) as ClientLaunch;
    expect(launch.memory).toMatchObject({ mode: vm.mode, device: vm.device, path: vm.path, configuredMiB: vm.size });
    const text = await vitrine('--client', FAKE_CLIENT, 'lg', 'check', vm.name);
    expect(text.stdout).toContain(`memory:  ${vm.size} MiB ${vm.mode} device ${vm.device} at ${vm.path}`);
    // The argv names the memory the domain really uses.
    expect(launch.argv).toContain(`app:shmFile=${vm.path}`);
  }, 60_000);

  it("a VM with only Scream's ivshmem has no Looking Glass memory, and says how to add it", async () => {
    const { code, stdout } = await vitrine('--client', FAKE_CLIENT, 'lg', 'check', 'lgx-scream-only');
    expect(code).toBe(1);
    expect(stdout).toContain('memory:  none');
    expect(stdout).toContain('This VM has no Looking Glass memory device.');
  }, 60_000);

  it('lg args --release B8 prints the B8 argv without that client installed; a bad release name is refused', async () => {
    const b8 = await vitrine('lg', 'args', 'lgx-kvmfr-old', '--release', 'B8', '--json');
    const out = JSON.parse(b8.stdout) as { release: string; argv: string[]; note: string | null };
    expect(out.release).toBe('B8');
    expect(out.argv).toContain('lgmp:shmDevice=/dev/kvmfr0');
    expect(out.argv).toContain('win:setGuestRes=yes');
    expect(out.argv).toContain('win:autoResize=no');
    expect(out.argv.some((a) => a.startsWith('app:shmFile='))).toBe(false);
    const b9 = await vitrine('lg', 'args', 'lgx-shmem', '--release', 'B9');
    expect(b9.stdout).toContain('lgmp:shmDevice=/dev/shm/looking-glass');
    expect(b9.stderr).toContain('newer than the releases Vitrine knows');
    const bad = await vitrine('lg', 'args', 'lgx-shmem', '--release', 'latest');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('is not a Looking Glass release name');
  }, 120_000);

  it("the memory check follows the release's formula: 3840×2160 HDR needs 256 MiB on B7, 128 on B8", async () => {
    const edit = await vitrine('vm', 'xml', 'lgx-kvmfr-old', '--resolution', '3840x2160', '--hdr', 'yes', '--apply');
    expect(edit.code).toBe(0);
    const check = async (release: string) => (JSON.parse((await vitrine('lg', 'check', 'lgx-kvmfr-old', '--release', release, '--json')).stdout) as ClientLaunch).memory;
    const b7 = await check('B7');
    expect(b7.neededMiB).toBe(256);
    expect(b7.problems.map((p) => p.kind)).toContain('too-small');
    const b8 = await check('B8-rc1');
    expect(b8.neededMiB).toBe(128);
    expect(b8.problems.map((p) => p.kind)).not.toContain('too-small');
  }, 120_000);
});
