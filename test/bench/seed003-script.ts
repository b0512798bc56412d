import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The doctor row's baseline: seed 003's iommu_groups.sh (one lspci per
 * device), reading a fixture tree instead of /sys. Written into `dir`; run it
 * with the tree's sys folder as its argument.
 */
export function writeIommuGroupsScript(dir: string): string {
  const script = join(dir, 'iommu_groups.sh');
  writeFileSync(
    script,
    `#!/bin/bash
# seed 003's iommu_groups.sh, reading the fixture tree instead of /sys
shopt -s nullglob
for d in "$1"/kernel/iommu_groups/*/devices/*; do
  n=\${d#*/iommu_groups/*}; n=\${n%%/*}
  printf 'IOMMU Group %s ' "$n"
  lspci -A linux-sysfs -O sysfs.path="$1/bus/pci" -nns "\${d##*/}"
done
`,
  );
  return script;
}
