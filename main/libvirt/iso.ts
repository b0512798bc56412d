import { open } from 'node:fs/promises';

/** What an installation image is, from its volume descriptors. */
export interface IsoInfo {
  /** ISO 9660 (with or without UDF beside it), or UDF alone. */
  format: 'iso9660' | 'udf';
  /** The volume label (ISO 9660's volume identifier), e.g. `CCCOMA_X64FRE_EN-US_DV9` or `virtio-win-0.1.266`; null for UDF alone. */
  label: string | null;
}

const SECTOR = 2048;
/** The volume descriptors start at sector 16 (ECMA-119 §8, ECMA-167 §2/9.1). */
const FIRST = 16;
const COUNT = 16;

/**
 * Read an image's volume descriptors: ISO 9660's `CD001` (the primary one
 * carries the label) or UDF's `BEA01`/`NSR02`/`NSR03`. Null when the file is
 * neither (a text file, an empty file, a disk image).
 */
export async function readIsoInfo(path: string): Promise<IsoInfo | null> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SECTOR * COUNT);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, SECTOR * FIRST);
    let udf = false;
    for (let offset = 0; offset + SECTOR <= bytesRead; offset += SECTOR) {
      const id = buffer.toString('latin1', offset + 1, offset + 6);
      const type = buffer[offset]!;
      if (id === 'CD001') {
        if (type === 1) return { format: 'iso9660', label: buffer.toString('latin1', offset + 40, offset + 72).trim() || null };
        if (type === 255) break; // the set terminator, and no primary descriptor before it
      } else if (id === 'BEA01' || id === 'NSR02' || id === 'NSR03') udf = true;
    }
    return udf ? { format: 'udf', label: null } : null;
  } finally {
    await handle.close();
  }
}

/** The virtio-win ISO's label: `virtio-win-0.1.266`. */
export function isVirtioLabel(label: string | null): boolean {
  return label !== null && /^virtio[-_]?win/i.test(label);
}
