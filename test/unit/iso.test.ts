import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isVirtioLabel, readIsoInfo } from '../../main/libvirt/iso';
import { writeTestIso } from '../support/iso';

const dir = mkdtempSync(join(tmpdir(), 'vitrine-iso-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('installation images', () => {
  it('reads the label of an ISO 9660 image', async () => {
    expect(await readIsoInfo(writeTestIso(join(dir, 'win.iso'), 'CCCOMA_X64FRE_EN-US_DV9'))).toEqual({ format: 'iso9660', label: 'CCCOMA_X64FRE_EN-US_DV9' });
    expect(await readIsoInfo(writeTestIso(join(dir, 'virtio.iso'), 'virtio-win-0.1.266'))).toEqual({ format: 'iso9660', label: 'virtio-win-0.1.266' });
  });

  it('knows a UDF-only image', async () => {
    const image = Buffer.alloc(2048 * 19);
    image.write('BEA01', 16 * 2048 + 1, 'latin1');
    image.write('NSR02', 17 * 2048 + 1, 'latin1');
    writeFileSync(join(dir, 'udf.iso'), image);
    expect(await readIsoInfo(join(dir, 'udf.iso'))).toEqual({ format: 'udf', label: null });
  });

  it('refuses what is not an image: empty, text, a file too short', async () => {
    writeFileSync(join(dir, 'empty.iso'), '');
    writeFileSync(join(dir, 'shadow'), 'root:*:19000:0:99999:7:::\n'.repeat(3000));
    expect(await readIsoInfo(join(dir, 'empty.iso'))).toBeNull();
    expect(await readIsoInfo(join(dir, 'shadow'))).toBeNull();
  });

  it('tells the virtio-win ISO by its label', () => {
    expect(isVirtioLabel('virtio-win-0.1.266')).toBe(true);
    expect(isVirtioLabel('CCCOMA_X64FRE_EN-US_DV9')).toBe(false);
    expect(isVirtioLabel(null)).toBe(false);
  });
});
