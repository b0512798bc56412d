import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listIso } from '../../main/libvirt/unattend-iso';
import { writeTestIso } from '../support/iso';
import { createSessionUser, runCli, type SessionUser } from '../support/session-libvirt';

// An unattended Windows 11 VM on a real qemu:///session under TCG: the
// answer-file ISO is built, attached as the third CD-ROM, and the VM boots
// OVMF with the three of them; once "installed" the ISO goes away.
let user: SessionUser;
// A short name: the guest agent's socket path (under HOME) must fit in 108 bytes.
const NAME = 'vu';
const vitrine = (...args: string[]) => runCli(user, ['--connect', 'qemu:///session', ...args]);

function own(path: string): string {
  if (process.getuid?.() === 0) chownSync(path, user.uid, user.gid);
  return path;
}

/** A virtio-win ISO of the real layout (viostor/w11/amd64, NetKVM/w11/amd64, the guest tools), small. */
function fakeVirtioIso(path: string, oses = ['w10', 'w11'], tools = true): string {
  const tree = join(user.home, `tree-${oses.join('-')}`);
  for (const driver of ['viostor', 'vioscsi', 'NetKVM', 'Balloon']) {
    for (const os of oses) {
      mkdirSync(join(tree, driver, os, 'amd64'), { recursive: true });
      writeFileSync(join(tree, driver, os, 'amd64', `${driver.toLowerCase()}.inf`), '; driver\n');
    }
  }
  if (tools) writeFileSync(join(tree, 'virtio-win-guest-tools.exe'), 'MZ');
  execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-o', path, '-V', 'virtio-win-0.1.266', '-J', '-r', tree], { stdio: 'ignore' });
  return own(path);
}

beforeAll(async () => {
  user = await createSessionUser();
  own(writeTestIso(join(user.home, 'win11.iso'), 'CCCOMA_X64FRE_FR-FR_DV9'));
  fakeVirtioIso(join(user.home, 'virtio-win.iso'));
  writeFileSync(join(user.home, 'password.txt'), 'hunter2 with spaces\n');
  own(join(user.home, 'password.txt'));
  writeFileSync(join(user.home, 'looking-glass-host-setup.exe'), 'MZ fake B7');
  own(join(user.home, 'looking-glass-host-setup.exe'));
  mkdirSync(join(user.home, 'vm'));
  own(join(user.home, 'vm'));
});
afterAll(async () => {
  await user?.cleanup();
});

describe('an unattended install', () => {
  const iso = () => join(user.home, 'vm', `${NAME}-unattend.iso`);

  it('creates the VM with the answer-file ISO as the third CD-ROM', async () => {
    const { code, stdout, stderr } = await vitrine(
      'vm', 'create', '--name', NAME, '--os', 'win11', '--iso', join(user.home, 'win11.iso'), '--virtio-iso', join(user.home, 'virtio-win.iso'),
      '--cpus', '1', '--memory', '256', '--disk', join(user.home, 'vm', 'u.qcow2'), '--disk-size', '1', '--user-net', '--virt-type', 'qemu',
      '--windows-user', 'Alice', '--windows-password-file', join(user.home, 'password.txt'), '--windows-timezone', 'Romance Standard Time',
      '--lg-installer', join(user.home, 'looking-glass-host-setup.exe'),
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`Created '${NAME}'`);
    // The ISO: its label, the answer file, the installer.
    expect(existsSync(iso())).toBe(true);
    const listing = await listIso(iso());
    expect(listing.label).toBe('VITRINE_UNATTEND');
    expect(listing.paths).toEqual(['/', '/autounattend.xml', '/vitrine', '/vitrine/looking-glass-host-setup.exe']);
    // The three CD-ROMs in order: Windows (boots first), virtio-win, the answer file; the guest agent's channel.
    const xml = await user.virsh('dumpxml', '--inactive', NAME);
    const cdroms = [...xml.matchAll(/<disk type='file' device='cdrom'>[\s\S]*?<source file='([^']+)'[\s\S]*?<target dev='(\w+)' bus='sata'\/>/g)].map((m) => [m[2], m[1]]);
    expect(cdroms).toEqual([
      ['sda', join(user.home, 'win11.iso')],
      ['sdb', join(user.home, 'virtio-win.iso')],
      ['sdc', iso()],
    ]);
    expect(xml).toContain("name='org.qemu.guest_agent.0'");
  });

  it('boots OVMF with the three CD-ROMs attached', async () => {
    const { code, stderr } = await vitrine('vm', 'start', NAME);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect((await user.virsh('domstate', NAME)).trim()).toBe('running');
    const blocks = JSON.parse(await user.virsh('qemu-monitor-command', NAME, '{"execute":"query-block"}')) as { return: { device: string; qdev: string; removable: boolean; inserted?: { file: string } }[] };
    const cds = blocks.return.filter((b) => b.removable && b.inserted).map((b) => b.inserted!.file);
    expect(cds).toEqual([join(user.home, 'win11.iso'), join(user.home, 'virtio-win.iso'), iso()]);
    // OVMF is the firmware QEMU runs (pflash), with the Secure Boot code.
    const cmdline = execFileSync('ps', ['-o', 'args=', '-u', String(user.uid)], { encoding: 'utf8' });
    expect(cmdline).toMatch(/OVMF_CODE[^ ]*\.ms\.fd|OVMF_CODE[^ ]*secboot/);
  });

  it('keeps the ISO while Windows is not installed (no guest agent), removes it when told', async () => {
    const early = await vitrine('vm', 'finish-install', NAME);
    expect(early.code).not.toBe(0);
    expect(early.stderr).toContain('has not finished installing');
    expect(existsSync(iso())).toBe(true);
    const forced = await vitrine('vm', 'finish-install', NAME, '--force');
    expect(forced.stderr).toBe('');
    expect(forced.stdout).toContain('Removed the answer-file ISO');
    expect(existsSync(iso())).toBe(false);
    const xml = await user.virsh('dumpxml', '--inactive', NAME);
    expect(xml).not.toContain('-unattend.iso');
    expect(xml).toContain('virtio-win.iso');
    await user.virsh('destroy', NAME);
  });

  it('refuses a virtio-win ISO without the Windows 11 drivers, and leaves nothing behind', async () => {
    const { code, stderr } = await vitrine(
      'vm', 'create', '--name', 'no-drivers', '--os', 'win11', '--iso', join(user.home, 'win11.iso'), '--virtio-iso', fakeVirtioIso(join(user.home, 'old-virtio.iso'), ['w10', '2k19'], false),
      '--cpus', '1', '--memory', '256', '--disk', join(user.home, 'vm', 'n.qcow2'), '--disk-size', '1', '--user-net', '--virt-type', 'qemu', '--windows-user', 'Bob',
    );
    expect(code).not.toBe(0);
    expect(stderr).toContain('lacks viostor/w11/amd64, NetKVM/w11/amd64, virtio-win-guest-tools.exe');
    expect(existsSync(join(user.home, 'vm', 'no-drivers-unattend.iso'))).toBe(false);
    expect(existsSync(join(user.home, 'vm', 'n.qcow2'))).toBe(false);
  });

  it('refuses a reserved account name, naming the option', async () => {
    const { code, stderr } = await vitrine(
      'vm', 'create', '--name', 'admin', '--os', 'win11', '--iso', join(user.home, 'win11.iso'), '--virtio-iso', join(user.home, 'virtio-win.iso'),
      '--user-net', '--virt-type', 'qemu', '--windows-user', 'Administrator',
    );
    expect(code).not.toBe(0);
    expect(stderr).toContain('--windows-user');
    expect(stderr).toContain('reserved by Windows');
  });
});
