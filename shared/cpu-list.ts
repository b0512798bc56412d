// Linux's and libvirt's CPU-list syntax (`0-3,8,10-11`), read by the host
// scan and written into <cputune>, typed by the user in the pinning field.

/** `0-3,8,10-11` -> [0,1,2,3,8,10,11]; null for text that is not a CPU list. */
export function parseCpuList(text: string): number[] | null {
  const out: number[] = [];
  const trimmed = text.trim();
  if (trimmed === '') return [];
  for (const part of trimmed.split(',')) {
    const m = part.trim().match(/^(\d+)(?:-(\d+))?$/);
    if (!m) return null;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from || to - from > 4096) return null;
    for (let i = from; i <= to; i++) out.push(i);
  }
  return out;
}

/** [0,1,2,3,8] -> `0-3,8` (libvirt's cpuset syntax). */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
