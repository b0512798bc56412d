import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLookingGlass, qemuProps, qemuSizeMiB } from '../../main/libvirt/lg-device';
import { setKvmfr, setShmem } from '../../main/libvirt/edits';
import { parseDomainXml, rootElement, serializeXml } from '../../main/libvirt/xml/document';

// The shapes of Looking Glass memory in people's existing VMs
// (shared/reference/looking-glass.md, "Existing VMs"): test/fixtures/lookingglass/vms.
const dir = join(import.meta.dirname, '..', 'fixtures', 'lookingglass', 'vms');
const read = (file: string) => readFileSync(join(dir, file), 'utf8');
const found = (xml: string) => {
  const lg = findLookingGlass(rootElement(parseDomainXml(xml))!);
  return lg && { mode: lg.mode, sizeMiB: lg.sizeMiB, device: lg.device, path: lg.path, source: lg.source };
};

describe("a VM's Looking Glass memory, whatever its shape", () => {
  it.each([
    ['shmem-looking-glass.xml', { mode: 'shmem', sizeMiB: 32, device: 'looking-glass', path: '/dev/shm/looking-glass', source: 'shmem' }],
    ['scream-and-looking-glass.xml', { mode: 'shmem', sizeMiB: 64, device: 'looking-glass', path: '/dev/shm/looking-glass', source: 'shmem' }],
    ['shmem-other-name.xml', { mode: 'shmem', sizeMiB: 128, device: 'ivshmem0', path: '/dev/shm/ivshmem0', source: 'shmem' }],
    ['kvmfr-json.xml', { mode: 'kvmfr', sizeMiB: 64, device: 'looking-glass', path: '/dev/kvmfr0', source: 'qemu-commandline' }],
    ['kvmfr-old-syntax.xml', { mode: 'kvmfr', sizeMiB: 128, device: 'looking-glass', path: '/dev/kvmfr0', source: 'qemu-commandline' }],
  ])('%s', (file, expected) => {
    expect(found(read(file))).toEqual(expected);
  });
  it("never takes Scream's ivshmem for Looking Glass", () => {
    expect(found(read('scream-only.xml'))).toBeNull();
  });
  it('does not guess between two unnamed shmem devices', () => {
    const xml = `<domain><devices><shmem name='a'><size unit='M'>8</size></shmem><shmem name='b'/></devices></domain>`;
    expect(found(xml)).toBeNull();
    expect(found(xml.replace("name='b'", "name='lg-mem'"))).toMatchObject({ device: 'lg-mem', sizeMiB: 4 });
  });
  it('reads kvmfr written as one argument, another namespace prefix, a second device, and a file backend', () => {
    const ns = (args: string) => `<domain xmlns:ns0='http://libvirt.org/schemas/domain/qemu/1.0'><devices/><ns0:commandline>${args}</ns0:commandline></domain>`;
    expect(found(ns(`<ns0:arg value='-device ivshmem-plain,id=shmem1,memdev=lgmem'/><ns0:arg value='-object memory-backend-file,id=lgmem,mem-path=/dev/kvmfr1,size=1G,share=on'/>`))).toEqual({ mode: 'kvmfr', sizeMiB: 1024, device: 'lgmem', path: '/dev/kvmfr1', source: 'qemu-commandline' });
    expect(found(ns(`<ns0:arg value='-device'/><ns0:arg value='ivshmem-plain,memdev=ivshmem,bus=pcie.0'/><ns0:arg value='-object'/><ns0:arg value='memory-backend-file,id=ivshmem,share=on,mem-path=/dev/shm/looking-glass,size=64M'/>`))).toEqual({ mode: 'shmem', sizeMiB: 64, device: 'ivshmem', path: '/dev/shm/looking-glass', source: 'qemu-commandline' });
    expect(found(ns(`<ns0:arg value='-device'/><ns0:arg value='ivshmem-plain,memdev=scream'/><ns0:arg value='-object'/><ns0:arg value='memory-backend-file,id=scream,mem-path=/dev/shm/scream-ivshmem,size=2M,share=on'/>`))).toBeNull();
  });
  it('parses QEMU option syntax and sizes', () => {
    expect(qemuProps("{'qom-type':'memory-backend-file','size':67108864,'share':true}")).toEqual({ 'qom-type': 'memory-backend-file', size: '67108864', share: 'true' });
    expect(qemuProps('memory-backend-file,id=a,mem-path=/x,,y')).toEqual({ driver: 'memory-backend-file', id: 'a', 'mem-path': '/x,y' });
    expect(qemuProps('{broken')).toBeNull();
    expect([qemuSizeMiB('67108864'), qemuSizeMiB('128M'), qemuSizeMiB('1G'), qemuSizeMiB('64MiB'), qemuSizeMiB('32m'), qemuSizeMiB('lots')]).toEqual([64, 128, 1024, 64, 32, null]);
  });
});

describe('editing the memory people already have', () => {
  it('resizes a shmem named otherwise in place, and leaves Scream alone', () => {
    const out = serializeXml(setShmem(parseDomainXml(read('shmem-other-name.xml')), 256));
    expect(out).toContain("<shmem name='ivshmem0'>\n      <model type='ivshmem-plain'/>\n      <size unit='M'>256</size>");
    expect(out).toContain("<shmem name='scream-ivshmem'>");
    expect(out.match(/<shmem /g)).toHaveLength(2);
  });
  it('replaces kvmfr in the old syntax by a shmem, and a shmem by kvmfr, keeping Scream', () => {
    const shm = serializeXml(setShmem(parseDomainXml(read('kvmfr-old-syntax.xml')), 128));
    expect(shm).not.toContain('kvmfr0');
    expect(shm).not.toContain('qemu:commandline');
    expect(found(shm)).toMatchObject({ mode: 'shmem', sizeMiB: 128, device: 'looking-glass' });
    const kvmfr = serializeXml(setKvmfr(parseDomainXml(read('scream-and-looking-glass.xml')), 128));
    expect(kvmfr).toContain("<shmem name='scream-ivshmem'>");
    expect(kvmfr).not.toContain("<shmem name='looking-glass'>");
    expect(found(kvmfr)).toMatchObject({ mode: 'kvmfr', sizeMiB: 128, path: '/dev/kvmfr0' });
  });
});
