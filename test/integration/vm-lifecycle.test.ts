import { chownSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectServe, cookieFor, type ServeClient } from '../support/serve-client';
import { createSessionUser, runCli, startServe, type SessionUser } from '../support/session-libvirt';
import { writeTestIso } from '../support/iso';
import { writeHostTree } from '../support/host-tree';
import { FIXTURE_HOSTS } from '../support/hosts';

// The whole lifecycle on a real qemu:///session: a tiny Windows 11 VM under
// TCG (type qemu; OVMF with Secure Boot, a TPM, a 1 GiB qcow2).
let user: SessionUser;
let serve: { url: string; origin: string; child: ChildProcess };
let client: ServeClient;
const NAME = 'vitrine-life';
const vitrine = (...args: string[]) => runCli(user, ['--connect', 'qemu:///session', ...args]);

function own(path: string): string {
  if (process.getuid?.() === 0) chownSync(path, user.uid, user.gid);
  return path;
}

function ownedFile(path: string, content = ''): string {
  writeFileSync(path, content);
  return own(path);
}

beforeAll(async () => {
  user = await createSessionUser();
  own(writeTestIso(join(user.home, 'win11.iso'), 'CCCOMA_X64FRE_EN-US_DV9'));
  own(writeTestIso(join(user.home, 'virtio-win.iso'), 'virtio-win-0.1.266'));
  serve = await startServe(user);
  client = await connectServe(serve.origin, await cookieFor(serve.url));
  await client.snapshots.next((s) => s.error === null, 30_000, 'first listing');
});
afterAll(async () => {
  client?.ws.close();
  serve?.child.kill('SIGTERM');
  await user?.cleanup();
});

describe('a game VM through its whole life', () => {
  const disk = () => join(user.home, 'vm', 'life.qcow2');

  it('creates the VM: a qcow2 disk and a domain', async () => {
    const { code, stdout, stderr } = await vitrine(
      'vm', 'create', '--name', NAME, '--os', 'win11', '--iso', join(user.home, 'win11.iso'), '--virtio-iso', join(user.home, 'virtio-win.iso'),
      '--cpus', '1', '--memory', '256', '--disk', disk(), '--disk-size', '1', '--user-net', '--virt-type', 'qemu',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`Created '${NAME}'`);
    expect(existsSync(disk())).toBe(true);
    await client.snapshots.next((s) => s.domains.some((d) => d.name === NAME && d.state === 'shut-off'), 5_000, 'with the new VM');
    const xml = await user.virsh('dumpxml', '--inactive', NAME);
    expect(xml).toContain("<tpm model='tpm-crb'>");
    expect(xml).toContain("secure='yes'");
    expect(xml).toContain("cache='writeback' io='threads'");
  });

  it('refuses to create it twice, and never overwrites a disk', async () => {
    const again = await vitrine('vm', 'create', '--name', NAME, '--os', 'win10', '--iso', join(user.home, 'win11.iso'), '--virtio-iso', join(user.home, 'virtio-win.iso'), '--disk', disk(), '--virt-type', 'qemu', '--user-net');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('already exists');
    const other = await vitrine('vm', 'create', '--name', 'other', '--os', 'win10', '--iso', join(user.home, 'win11.iso'), '--virtio-iso', join(user.home, 'virtio-win.iso'), '--disk', disk(), '--virt-type', 'qemu', '--user-net');
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain('never overwrites');
  });

  it('starts it, and the event stream reports it running', async () => {
    client.snapshots.clear();
    const { code, stdout } = await vitrine('vm', 'start', NAME);
    expect(code).toBe(0);
    expect(stdout).toContain('running');
    await client.snapshots.next((s) => s.domains.some((d) => d.name === NAME && d.state === 'running'), 2_000, 'with the VM running');
  });

  it('asks for a shutdown; a guest without an OS ignores ACPI, so stop says to force it off', async () => {
    const { code, stderr } = await vitrine('vm', 'stop', NAME, '--timeout', '2');
    expect(code).toBe(2);
    expect(stderr).toContain(`vitrine vm kill "${NAME}"`);
    expect(((await client.request('vm.shutdown', { name: NAME, timeoutSeconds: 1 })) as { value: unknown }).value).toEqual({ stopped: false });
  });

  it('forces it off', async () => {
    client.snapshots.clear();
    expect((await vitrine('vm', 'kill', NAME)).code).toBe(0);
    await client.snapshots.next((s) => s.domains.some((d) => d.name === NAME && d.state === 'shut-off'), 2_000, 'with the VM off');
  });

  it('previews an edit as a diff, applies it, keeps the history, and restores', async () => {
    const preview = (await client.request('vm.previewEdits', { name: NAME, edits: { removeTablet: true, videoNone: true } })) as { ok: boolean; value: { diff: string } };
    expect(preview.ok).toBe(true);
    expect(preview.value.diff).toMatch(/^-\s+<input type='tablet' bus='usb'>/m);
    expect(preview.value.diff).toMatch(/^\+\s+<model type='none'\/>/m);
    expect(await user.virsh('dumpxml', '--inactive', NAME)).toContain("type='tablet'"); // a preview changes nothing

    const applied = await vitrine('vm', 'xml', NAME, '--no-tablet', '--video-none', '--apply');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Previous definition kept as');
    const now = await user.virsh('dumpxml', '--inactive', NAME);
    expect(now).not.toContain("type='tablet'");
    expect(now).toContain("<model type='none'/>");
    expect((await vitrine('vm', 'xml', NAME, '--no-tablet', '--video-none', '--apply')).stdout).toContain('Nothing to change');

    const history = JSON.parse((await vitrine('vm', 'history', NAME, '--json')).stdout) as { id: string; reason: string }[];
    expect(history[0]?.reason).toBe('edit videoNone, removeTablet');
    const restored = await vitrine('vm', 'restore', NAME, history[0]!.id);
    expect(restored.code).toBe(0);
    expect(await user.virsh('dumpxml', '--inactive', NAME)).toContain("type='tablet'");
  });

  it('fails to start with a PCI hostdev, with the typed error and the verbatim text', async () => {
    // A card this machine does not have is refused before the preview…
    const missing = await vitrine('vm', 'xml', NAME, '--attach-gpu', '0000:99:00.0', '--diff');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('This host has no PCI device 0000:99:00.0');
    // …so attach seed 003's card from its fixture host (libvirt, on the real host, then fails to start the VM with it).
    const host = writeHostTree(FIXTURE_HOSTS.seed003Xeon, join(user.home, 'host'));
    expect((await runCli(user, ['--connect', 'qemu:///session', '--sysfs-root', host.sys, 'vm', 'xml', NAME, '--attach-gpu', '0000:01:00.0,0000:01:00.1', '--apply'])).code).toBe(0);
    const { code, stderr } = await vitrine('vm', 'start', NAME);
    expect(code).not.toBe(0);
    const viaApi = (await client.request('vm.start', { name: NAME })) as { ok: boolean; error: { kind: string; detail: string } };
    expect(viaApi.ok).toBe(false);
    expect(['no-iommu', 'device-missing', 'permission']).toContain(viaApi.error.kind);
    expect(viaApi.error.detail).toContain(`error: Failed to start domain '${NAME}'`);
    expect(stderr.split('\n')[0]).toContain(viaApi.error.detail.split('\n').at(-1)!.replace(/^error: /, ''));
  });

  it('undefines it with its UEFI variables and TPM state, keeping the disk', async () => {
    client.snapshots.clear();
    const { code } = await vitrine('vm', 'undefine', NAME);
    expect(code).toBe(0);
    await client.snapshots.next((s) => !s.domains.some((d) => d.name === NAME), 2_000, 'without the VM');
    expect(existsSync(disk())).toBe(true);
  });
});

describe('bad input is refused with a clear message, and nothing is defined', () => {
  const create = (name: string) =>
    vitrine('vm', 'create', '--name', name, '--os', 'win10', '--iso', join(user.home, 'win11.iso'), '--virtio-iso', join(user.home, 'virtio-win.iso'), '--virt-type', 'qemu', '--user-net', '--disk', join(user.home, 'bad.qcow2'));

  it.each([
    ['$(touch /tmp/pwned)', 'cannot contain "$" "("'],
    ["it's mine", `cannot contain "'"`],
    ['a"b', 'cannot contain "\\""'],
    ['a/b', 'cannot contain "/"'],
    ['two\nlines', 'line break'],
    ['-rf', 'cannot start with "-"'],
    ['x'.repeat(500), 'at most 64 characters (this one has 500)'],
  ])('VM name %j', async (name, message) => {
    const { code, stderr } = await create(name);
    expect(code).not.toBe(0);
    expect(stderr).toContain(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(existsSync(join(user.home, 'bad.qcow2'))).toBe(false);
    expect((await user.virsh('list', '--all', '--name')).trim()).toBe('');
  });

  it.each([
    ['a file that is not an ISO image as the Windows ISO', () => [ownedFile(join(user.home, 'notes.txt'), 'root:x:0:0:root:/root:/bin/bash\n'.repeat(2000)), join(user.home, 'virtio-win.iso')], 'is not an ISO image'],
    ['the two ISOs swapped', () => [join(user.home, 'virtio-win.iso'), join(user.home, 'win11.iso')], 'is the virtio-win ISO (its label is virtio-win-0.1.266), not the Windows one'],
  ])('%s', async (_what, isos, message) => {
    const [windows, virtio] = isos();
    const { code, stderr } = await vitrine('vm', 'create', '--name', 'isocheck', '--os', 'win10', '--iso', windows!, '--virtio-iso', virtio!, '--virt-type', 'qemu', '--user-net', '--disk', join(user.home, 'bad.qcow2'));
    expect(code).not.toBe(0);
    expect(stderr).toContain(message);
    expect(existsSync(join(user.home, 'bad.qcow2'))).toBe(false);
    expect((await user.virsh('list', '--all', '--name')).trim()).toBe('');
  });

  it('a malformed PCI address', async () => {
    const file = ownedFile(join(user.home, 'd.xml'), "<domain type='qemu'><name>d</name></domain>");
    for (const address of ['01:00', '0000:01:00.8', 'gpu', '0000:01:00.0;reboot']) {
      const { code, stderr } = await vitrine('vm', 'xml', '--file', file, '--attach-gpu', address);
      expect(code).not.toBe(0);
      expect(stderr).toContain('0000:01:00.0');
    }
  });

  it('a file that is not XML, one with a DTD, one that is not a domain', async () => {
    const cases: [string, string][] = [
      ['not xml at all {', 'is not well-formed XML'],
      ['<domain><name>x</domain>', 'is not well-formed XML'],
      ['<?xml version="1.0"?>\n<!DOCTYPE domain [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n<domain><name>&b;</name></domain>', 'carries a DTD'],
      ['<!DOCTYPE domain SYSTEM "file:///etc/passwd"><domain/>', 'carries a DTD'],
      ["<network><name>default</name></network>", 'is not a libvirt domain document'],
      ['', 'is empty'],
    ];
    for (const [content, message] of cases) {
      const file = ownedFile(join(user.home, 'bad.xml'), content);
      const { code, stderr } = await vitrine('vm', 'xml', '--file', file, '--apply');
      expect(code, content).not.toBe(0);
      expect(stderr, content).toContain(message);
    }
    expect((await vitrine('vm', 'xml', '--file', join(user.home, 'missing.xml'))).stderr).toContain('does not exist');
    expect((await user.virsh('list', '--all', '--name')).trim()).toBe('');
  });
});

describe('a disk in a libvirt storage pool', () => {
  it('is created by libvirt (vol-create-as), so the pool knows it and it works where the user may not write', async () => {
    const folder = join(user.home, 'pool');
    await user.virsh('pool-define-as', 'vitrine-test-pool', 'dir', '--target', folder);
    await user.virsh('pool-build', 'vitrine-test-pool');
    await user.virsh('pool-start', 'vitrine-test-pool');
    try {
      const { code, stderr } = await vitrine(
        'vm', 'create', '--name', 'pooled', '--os', 'win10', '--iso', join(user.home, 'win11.iso'), '--virtio-iso', join(user.home, 'virtio-win.iso'),
        '--memory', '256', '--disk', join(folder, 'pooled.qcow2'), '--disk-size', '1', '--user-net', '--virt-type', 'qemu',
      );
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(await user.virsh('vol-list', '--pool', 'vitrine-test-pool')).toContain('pooled.qcow2');
      expect(await user.virsh('vol-info', '--pool', 'vitrine-test-pool', 'pooled.qcow2')).toMatch(/Capacity:\s+1\.00 GiB/);
    } finally {
      await user.virsh('undefine', '--nvram', 'pooled').catch(() => undefined);
      await user.virsh('vol-delete', '--pool', 'vitrine-test-pool', 'pooled.qcow2').catch(() => undefined);
      await user.virsh('pool-destroy', 'vitrine-test-pool').catch(() => undefined);
      await user.virsh('pool-undefine', 'vitrine-test-pool').catch(() => undefined);
    }
  });
});
