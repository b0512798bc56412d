/** Which release's size formula: B7's, or the one from the new transport on (B7-390, B8). */
export type LgSizeFormula = 'b7' | 'b8';

const MIB = 1024 * 1024;

/**
 * Looking Glass's shared memory size for a resolution, in MiB, rounded up to
 * a power of two. B7: W × H × BPP × 2 bytes + 10 MiB (BPP 4 for SDR, 8 for
 * HDR). From the new transport on (B8): ceil(W × 4 / 256) × 256 × H × 3
 * bytes + 4 MiB, HDR not doubling it. shared/reference/looking-glass.md.
 * Pure and dependency-free, the one copy of the formula: the main process
 * checks with it and the renderer shows the minimum as you type.
 */
export function lookingGlassMiB(width: number, height: number, hdr = false, formula: LgSizeFormula = 'b7'): number {
  const mib = formula === 'b8' ? (Math.ceil((width * 4) / 256) * 256 * height * 3) / MIB + 4 : (width * height * (hdr ? 8 : 4) * 2) / MIB + 10;
  return 2 ** Math.ceil(Math.log2(mib));
}
