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

  it('recognises a missing domain', () => {
    const stderr = "error: failed to get domain 'gone'\n";
    expect(classifyVirshFailure('qemu:///session', ['dominfo'], stderr, 1).kind).toBe('domain-not-found');
  });

  it('keeps any other failure verbatim', () => {
    const stderr = "error: Failed to start domain 'win11'\nerror: unsupported configuration: host doesn't support passthrough of host PCI devices\n";
    const error = classifyVirshFailure('qemu:///system', ['start'], stderr, 1);
    expect(error.kind).toBe('virsh');
    expect(error.message).toContain("host doesn't support passthrough");
    expect(error.detail).toContain("Failed to start domain 'win11'");
  });
});

describe('virshErrorLines', () => {
  it('keeps only the error lines, without the prefix', () => {
    expect(virshErrorLines('warning: x\nerror: one\n\nerror: two\n')).toEqual(['one', 'two']);
  });
});
