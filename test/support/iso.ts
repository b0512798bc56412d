import { writeFileSync } from 'node:fs';

/**
 * A minimal ISO 9660 image with a label: 16 empty sectors, a primary volume
 * descriptor and the set terminator (what readIsoInfo and QEMU's CD-ROM need
 * to take it for an ISO). Stands in for the Windows and virtio-win ISOs.
 */
export function writeTestIso(path: string, label: string): string {
  const sector = 2048;
  const image = Buffer.alloc(sector * 18);
  const pvd = 16 * sector;
  image[pvd] = 1;
  image.write('CD001', pvd + 1, 'latin1');
  image[pvd + 6] = 1;
  image.write(label.padEnd(32, ' ').slice(0, 32), pvd + 40, 'latin1');
  const end = 17 * sector;
  image[end] = 255;
  image.write('CD001', end + 1, 'latin1');
  image[end + 6] = 1;
  writeFileSync(path, image);
  return path;
}
