import { describe, expect, it } from 'vitest';
import { classifyVirshFailure, virshErrorLines } from '../../main/libvirt/virsh-errors';

describe('classifyVirshFailure', () => {
  it('names the URI and says to check the daemon when the socket is missing', () => {
    const stderr = "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory\n";
    const error = classifyVirshFailure('qemu:///system', ['list'], stderr, 1);
    expect(error.kind).toBe('connect');
    expect(error.message).toContain("'qemu:///system'");
    expect(error.message).toContain('No such file or directory');
    expect(error.hint).toMatch(/daemon is running/);
    expect(error.detail).toBe(stderr.trim());
  });

  it('says the URI is wrong when libvirt has no driver for it', () => {
    const stderr = "error: failed to connect to the hypervisor\nerror: no connection driver available for foo:///x\n";
    const error = classifyVirshFailure('foo:///x', ['list'], stderr, 1);
    expect(error.kind).toBe('connect');
    expect(error.hint).toMatch(/no driver for it/);
  });

  it('points at the libvirt group on permission problems', () => {
    const stderr = "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied\n";
    expect(classifyVirshFailure('qemu:///system', ['list'], stderr, 1).hint).toMatch(/libvirt" group/);
  });

  it('takes a daemon that went away mid-call for a lost connection, not a failed command', () => {
    // libvirt's rpc/virnetsocket.c and remote driver texts when the daemon stops while virsh waits for an answer.
    for (const said of ['End of file while reading data: Input/output error', 'Cannot recv data: Connection reset by peer', 'Cannot write data: Broken pipe', 'internal error: client socket is closed']) {
      const error = classifyVirshFailure('qemu:///session', ['list'], `error: failed to list domains\nerror: ${said}\n`, 1);
      expect(error.kind, said).toBe('connect');
      expect(error.message).toBe(`The connection to libvirt at 'qemu:///session' broke during the request (${said}).`);
      expect(error.hint).toMatch(/stopped or restarted/);
    }
  });

  it('recognises a missing domain', () => {
    const stderr = "error: failed to get domain 'gone'\n";
    expect(classifyVirshFailure('qemu:///session', ['dominfo'], stderr, 1).kind).toBe('domain-not-found');
  });

  it('keeps any other failure verbatim', () => {
    const stderr = "error: Failed to start domain 'win11'\nerror: internal error: process exited while connecting to monitor: something new\n";
    const error = classifyVirshFailure('qemu:///system', ['start'], stderr, 1);
    expect(error.kind).toBe('virsh');
    expect(error.message).toContain('something new');
    expect(error.detail).toContain("Failed to start domain 'win11'");
  });

  // The verbatim texts of shared/reference/libvirt.md and troubleshooting.md.
  it.each([
    ['no-kvm', "unsupported configuration: Domain requires KVM, but it is not available. Check that virtualization is enabled in the host BIOS, and host configuration is setup to load the kvm modules."],
    ['no-kvm', 'internal error: qemu unexpectedly closed the monitor: Could not access KVM kernel module: Permission denied'],
    ['no-kvm', "unsupported configuration: Emulator '/usr/bin/qemu-system-x86_64' does not support virt type 'kvm'"],
    ['no-iommu', "unsupported configuration: host doesn't support passthrough of host PCI devices"],
    ['group-not-viable', 'internal error: qemu unexpectedly closed the monitor: 2026-11-21T08:01:28.759Z qemu-system-x86_64: -device vfio-pci,host=0000:01:00.0: vfio 0000:01:00.0: group 12 is not viable'],
    ['device-missing', "Could not find matching device 'pci_0000_01_00_0'"],
    ['shm-permission', "internal error: qemu unexpectedly closed the monitor: can't open backing store /dev/shm/looking-glass for guest RAM: Permission denied"],
    ['permission', "internal error: process exited: Could not open '/home/alice/win.iso': Permission denied"],
  ])('types a start failure as %s and keeps the text', (kind, line) => {
    const stderr = `error: Failed to start domain 'win11'\nerror: ${line}\n`;
    const error = classifyVirshFailure('qemu:///system', ['start'], stderr, 1);
    expect(error.kind).toBe(kind);
    expect(error.detail).toBe(stderr.trim());
    expect(error.hint.length).toBeGreaterThan(20);
  });
});

describe('virshErrorLines', () => {
  it('keeps only the error lines, without the prefix', () => {
    expect(virshErrorLines('warning: x\nerror: one\n\nerror: two\n')).toEqual(['one', 'two']);
  });
});
