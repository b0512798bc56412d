import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { scanHost } from '../../main/host/scan';
import { writeHostTree } from '../support/host-tree';
import { generatedHost } from '../support/hosts';
import { cliPath } from '../support/session-libvirt';
import { writeIommuGroupsScript } from './seed003-script';

// Issue 3's figure: the scan of a 256-device tree against what people run by
// hand today, all on the same tree in one run. Baseline: seed 003's
// iommu_groups.sh (one lspci per device), pointed at the tree.
const dir = mkdtempSync(join(tmpdir(), 'vitrine-bench-host-'));
const roots = writeHostTree(generatedHost(256), dir);
const script = writeIommuGroupsScript(dir);
const lspci = spawnSync('lspci', ['--version']).status === 0;
const slow = { iterations: 3, time: 0, warmupIterations: 1, warmupTime: 0 };
const quick = { iterations: 10, time: 0, warmupIterations: 2, warmupTime: 0 };

describe('host scan of a 256-device tree', () => {
  bench.skipIf(!lspci)('baseline: seed 003 iommu_groups.sh (lspci -nns per device)', () => {
    execFileSync('bash', [script, roots.sys], { stdio: 'ignore' });
  }, slow);
  bench.skipIf(!lspci)('lspci -nnk once over the tree', () => {
    execFileSync('lspci', ['-A', 'linux-sysfs', '-O', `sysfs.path=${roots.sys}/bus/pci`, '-nnk'], { stdio: 'ignore' });
  }, quick);
  bench.skipIf(!existsSync(cliPath))('vitrine doctor --json (a whole process, with the environment checks)', () => {
    execFileSync(process.execPath, [cliPath, '--connect', 'test:///default', 'doctor', '--json', '--sysfs-root', roots.sys, '--proc-root', roots.proc, '--dev-root', roots.dev, '--modules-root', roots.modules], { stdio: 'ignore' });
  }, quick);
  bench('scanHost in the app (pci.ids already loaded)', async () => {
    await scanHost(roots);
  }, quick);
});
