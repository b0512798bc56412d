import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMemory, modeAllowsReadWrite, type MemoryCheckOptions, type UserIdentity } from '../../main/lookingglass/memory';

// Real files with real modes in a scratch folder. The "user" is an identity
// that is not the file's owner (uid 4242), so the owner/group/other bits
// decide, whoever runs the tests.
let dir: string;
const MiB = 1024 * 1024;
const stranger: UserIdentity = { name: 'gamer', uid: 4242, gids: [4242] };
const groupMember = (): UserIdentity => ({ name: 'gamer', uid: 4242, gids: [4242, process.getgid!()] });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vitrine-lgmem-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, mode: number, sizeMiB = 0): string {
  const path = join(dir, name);
  writeFileSync(path, '');
  if (sizeMiB) truncateSync(path, sizeMiB * MiB);
  chmodSync(path, mode);
  return path;
}

const base = (path: string, over: Partial<MemoryCheckOptions> = {}): MemoryCheckOptions => ({
  target: { mode: 'shmem', path, configuredMiB: 32 },
  neededMiB: 32,
  user: stranger,
  phase: 'running',
  session: false,
  ...over,
});
const kinds = async (o: MemoryCheckOptions) => (await checkMemory(o)).problems.map((p) => p.kind);

describe('Looking Glass memory checks', () => {
  it('passes a file the user may read and write, of the right size', async () => {
    const check = await checkMemory(base(file('ok', 0o666, 32)));
    expect(check.problems).toEqual([]);
    expect(check.actualMiB).toBe(32);
  });

  it('group access counts (the tmpfiles rule: 0660 USER kvm)', async () => {
    const path = file('group', 0o660, 32);
    expect(await kinds(base(path, { user: groupMember() }))).toEqual([]);
    expect(await kinds(base(path))).toEqual(['no-access']);
  });

  it('a VM without Looking Glass memory says how to add it', async () => {
    const check = await checkMemory(base('/x', { target: null, neededMiB: 64 }));
    expect(check.problems).toEqual([expect.objectContaining({ kind: 'not-configured', fix: expect.stringContaining('64 MiB') })]);
  });

  it('missing: fine before a session start (QEMU creates it as you), a tmpfiles fix for the system daemon, an error while running', async () => {
    const path = join(dir, 'absent');
    expect(await kinds(base(path, { phase: 'before-start', session: true }))).toEqual([]);
    const system = await checkMemory(base(path, { phase: 'before-start' }));
    expect(system.problems[0]).toMatchObject({ kind: 'missing', fix: expect.stringContaining(`f ${path} 0660 gamer kvm -`) });
    expect(await kinds(base(path))).toEqual(['missing']);
  });

  it('wrong type: a folder where the file should be', async () => {
    const path = join(dir, 'a-folder');
    mkdirSync(path);
    const check = await checkMemory(base(path));
    expect(check.problems[0]).toMatchObject({ kind: 'wrong-type', message: expect.stringContaining('a folder') });
  });

  it('kvmfr: a regular file at the device path means QEMU started before the module', async () => {
    const path = file('kvmfr0', 0o666, 64);
    const check = await checkMemory(base(path, { target: { mode: 'kvmfr', path, configuredMiB: 64 }, neededMiB: 64 }));
    expect(check.problems[0]).toMatchObject({ kind: 'wrong-type', fix: expect.stringContaining('modprobe kvmfr static_size_mb=64') });
  });

  it('kvmfr: a character device is accepted, and its module size must equal the VM size', async () => {
    const params = join(dir, 'static_size_mb');
    writeFileSync(params, '32\n');
    // /dev/null is a real character device every user may read and write.
    const target = { mode: 'kvmfr' as const, path: '/dev/null', configuredMiB: 64 };
    const check = await checkMemory(base('/dev/null', { target, neededMiB: 64, kvmfrParams: params }));
    expect(check.actualMiB).toBe(32);
    expect(check.problems).toEqual([expect.objectContaining({ kind: 'module-size', fix: expect.stringContaining('static_size_mb=64') })]);
    writeFileSync(params, '64\n');
    expect(await kinds(base('/dev/null', { target, neededMiB: 64, kvmfrParams: params }))).toEqual([]);
  });

  it('no access to a kvmfr device: the udev rule', async () => {
    // A real character device that others may not write (e.g. /dev/kmsg, /dev/console).
    const device = readdirSync('/dev')
      .map((n) => join('/dev', n))
      .find((p) => {
        const st = statSync(p, { throwIfNoEntry: false });
        return st?.isCharacterDevice() && st.uid !== stranger.uid && !stranger.gids.includes(st.gid) && (st.mode & 0o006) !== 0o006;
      });
    expect(device, 'a character device others may not write, in /dev').toBeDefined();
    const params = join(dir, 'p2');
    writeFileSync(params, '64');
    const check = await checkMemory(base(device!, { target: { mode: 'kvmfr', path: device!, configuredMiB: 64 }, neededMiB: 64, kvmfrParams: params }));
    expect(check.problems).toEqual([expect.objectContaining({ kind: 'no-access', fix: expect.stringContaining('SUBSYSTEM=="kvmfr", OWNER="gamer", GROUP="kvm", MODE="0660"') })]);
    expect(modeAllowsReadWrite({ uid: 0, gid: 4242, mode: 0o20660 }, stranger)).toBe(true);
    expect(modeAllowsReadWrite({ uid: 4242, gid: 0, mode: 0o20400 }, stranger)).toBe(false);
  });

  it('a file of someone else, before the start, is stale: remove it', async () => {
    const path = file('stale-owner', 0o644, 0);
    const check = await checkMemory(base(path, { phase: 'before-start' }));
    expect(check.problems).toEqual([expect.objectContaining({ kind: 'stale', fix: expect.stringContaining(`sudo rm ${path}`) })]);
  });

  it('the same file while the VM runs: the client may not open it (libvirt 9 creates 0644 libvirt-qemu)', async () => {
    const path = file('qemu-owned', 0o644, 32);
    const check = await checkMemory(base(path));
    expect(check.problems).toEqual([expect.objectContaining({ kind: 'no-access', message: expect.stringContaining('mode 0644'), fix: expect.stringContaining('tmpfiles') })]);
  });

  it('a file of another size left by an earlier run blocks a start', async () => {
    const path = file('old-size', 0o666, 32);
    const check = await checkMemory(base(path, { phase: 'before-start', target: { mode: 'shmem', path, configuredMiB: 64 }, neededMiB: 64 }));
    expect(check.problems).toEqual([expect.objectContaining({ kind: 'stale', message: expect.stringContaining('32 MiB') })]);
    // An empty file (what the tmpfiles rule creates) is fine.
    expect(await kinds(base(file('empty', 0o666), { phase: 'before-start' }))).toEqual([]);
  });

  it('too small: the domain asks for less than the resolution needs, and the running file is smaller', async () => {
    const path = file('small', 0o666, 32);
    const check = await checkMemory(base(path, { neededMiB: 64 }));
    expect(check.problems.map((p) => p.kind)).toEqual(['too-small', 'too-small']);
    expect(check.problems[0]!.fix).toContain('64 MiB');
  });
});
