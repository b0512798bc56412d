import { describe, expect, it } from 'vitest';
import { libvirtUriProblem, settingsPatch } from '../../shared/schemas';
import { checkedLibvirtUri } from '../../main/services/index';

describe('libvirt URIs Vitrine connects to', () => {
  it.each([
    'qemu:///system',
    'qemu:///session',
    'qemu+unix:///system?socket=/run/libvirt/libvirt-sock',
    'qemu+ssh://gamer@tower/system',
    'qemu+ssh://tower:2222/system?keyfile=/home/u/.ssh/id_ed25519',
    'qemu+tls://tower.lan/system',
    'test:///default',
  ])('accepts %s', (uri) => {
    expect(libvirtUriProblem(uri)).toBeNull();
  });

  it('refuses a transport that runs a program named in the URI', () => {
    expect(libvirtUriProblem('qemu+ext:///system?command=/home/u/evil')).toMatch(/'qemu\+ext' transport, which Vitrine does not use/);
    expect(libvirtUriProblem('qemu+ssh://h/system?command=/bin/sh')).toMatch(/names a program to run/);
    expect(settingsPatch.safeParse({ libvirtUri: 'qemu+ext:///system?command=/home/u/evil' }).success).toBe(false);
  });

  it('tells a typo from a stopped daemon', () => {
    expect(libvirtUriProblem('qemu:///sessoin')).toBe("'qemu:///sessoin' is not a libvirt connection: did you mean qemu:///session?");
    expect(libvirtUriProblem('qemu:///sytem')).toMatch(/did you mean qemu:\/\/\/system\?/);
    expect(libvirtUriProblem('nonsense')).toMatch(/^'nonsense' is not a libvirt URI/);
    expect(libvirtUriProblem('qemu://tower/system')).toMatch(/use qemu\+ssh:\/\/tower\/system/);
    expect(libvirtUriProblem('qemu+ssh:///system')).toMatch(/names no host/);
  });

  it('checks the URI before anything connects, naming where it came from', () => {
    expect(() => checkedLibvirtUri('qemu:///sessoin', {}, () => null)).toThrow(expect.objectContaining({ kind: 'invalid-uri', hint: 'Check the URI given in --connect.' }));
    expect(() => checkedLibvirtUri(undefined, { VITRINE_LIBVIRT_URI: 'xen:///' }, () => null)).toThrow(expect.objectContaining({ hint: 'Check the URI given in VITRINE_LIBVIRT_URI.' }));
    expect(checkedLibvirtUri(undefined, {}, () => null)).toBe('qemu:///system');
  });
});
