import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAttrSync, readTextSync } from '../../main/host/fs-read';

describe('readAttrSync: a small file in one read, as readTextSync reads it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vitrine-fs-read-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const files: Record<string, string | Buffer> = {
    empty: '',
    line: 'bus flr\n',
    spaces: '  \t-1 \n\n',
    utf8: 'Contrôleur à \n',
    invalid: Buffer.from([0x41, 0xc3, 0x28, 0xa0, 0x0a]),
    // Around the 8 kB buffer: a read that fills it is followed by more.
    'page-1': 'x'.repeat(8191),
    page: 'y'.repeat(8192),
    'page+1': 'z'.repeat(8193),
    large: 'DRIVER=nouveau\n'.repeat(5000),
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  mkdirSync(join(dir, 'folder'));

  it('gives the same text for every kind of file, and null for what cannot be read', () => {
    for (const name of [...Object.keys(files), 'folder', 'missing']) {
      expect(readAttrSync(join(dir, name)), name).toBe(readTextSync(join(dir, name)));
    }
    expect(readAttrSync(join(dir, 'large'))).toHaveLength('DRIVER=nouveau\n'.repeat(5000).length - 1);
    expect(readAttrSync(join(dir, 'line'))).toBe('bus flr');
    // After a large file, a small one is not mixed with what the buffer held.
    expect(readAttrSync(join(dir, 'empty'))).toBe('');
    expect(readAttrSync(join(dir, 'folder'))).toBeNull();
    expect(readAttrSync(join(dir, 'missing'))).toBeNull();
  });

  const pci = '/sys/bus/pci/devices';
  const devices = (() => {
    try {
      return readdirSync(pci).slice(0, 20);
    } catch {
      return [];
    }
  })();
  it.skipIf(devices.length === 0)('reads this machine\'s sysfs attributes as readTextSync does', () => {
    for (const device of devices) {
      for (const name of ['uevent', 'class', 'vendor', 'numa_node', 'reset_method', 'boot_vga', 'modalias', 'config']) {
        expect(readAttrSync(join(pci, device, name)), `${device}/${name}`).toBe(readTextSync(join(pci, device, name)));
      }
    }
  });
});
