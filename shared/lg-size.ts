/**
 * Looking Glass B7's shared memory size for a resolution: W × H × BPP × 2
 * bytes in MiB, plus 10, rounded up to a power of two (BPP 4 for SDR, 8 for
 * HDR). shared/reference/looking-glass.md. Pure and dependency-free: the
 * main process checks with it and the renderer shows the minimum as you type.
 */
export function lookingGlassMiB(width: number, height: number, hdr = false): number {
  const mib = (width * height * (hdr ? 8 : 4) * 2) / (1024 * 1024) + 10;
  return 2 ** Math.ceil(Math.log2(mib));
}
