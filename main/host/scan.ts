import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostReport } from '../../shared/api';
import { VitrineError } from '../common/errors';
import { msg } from '../../shared/i18n/message';
import { parseCmdline, paramValue, relevantParams } from './cmdline';
import { parseCpuinfo } from './cpuinfo';
import { canReadWrite, fileExists, listDir, readText } from './fs-read';
import { NO_ALIASES, parseModulesAlias, type ModuleAliases } from './modules-alias';
import { indexPciIds, NO_PCI_IDS, pciIdsFromIndex, type PciIds, type PciIdsIndex } from './pci-ids';
import { scanIommuGroups, scanPciDevices } from './pci-scan';
import type { HostRoots } from './roots';
import { assessGpus } from './verdicts';

/** pci.ids by path, for as long as its mtime and size stay the same. */
const pciIdsCache = new Map<string, { key: string; ids: PciIds }>();

/** The index kept in the cache folder: which file (path, mtime, size) it is of. */
interface StoredIndex {
  key: string;
  index: PciIdsIndex;
}

function storedIndex(dir: string | undefined, key: string): PciIdsIndex | null {
  if (!dir) return null;
  try {
    const stored = JSON.parse(readFileSync(join(dir, 'pci-ids-index.json'), 'utf8')) as StoredIndex;
    return stored.key === key && stored.index && typeof stored.index.vendors === 'object' ? stored.index : null;
  } catch {
    return null;
  }
}

function storeIndex(dir: string | undefined, key: string, index: PciIdsIndex): void {
  if (!dir) return;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, 'pci-ids-index.json');
    writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify({ key, index } satisfies StoredIndex), { mode: 0o600 });
    renameSync(`${file}.${process.pid}.tmp`, file);
  } catch {
    // a cache: without it the next run indexes the file again
  }
}

/** Whether a pci.ids file has any text, as `.trim()` of its UTF-8 text would say. */
function hasText(bytes: Buffer): boolean {
  // An ASCII character that is not white space answers at once (pci.ids begins with `#`); else (rare) decode it.
  for (const b of bytes) {
    if (b < 0x80 && b !== 0x20 && (b < 0x09 || b > 0x0d)) return true;
    if (b >= 0x80) break;
  }
  return bytes.toString('utf8').trim() !== '';
}

/**
 * The first readable pci.ids: read whole (one synchronous read, kept as
 * bytes: names are decoded one at a time), located through its index — kept
 * in the cache folder and in memory, keyed by the file's path, mtime and size,
 * so a new pci.ids is indexed again — and each vendor's lines read only when
 * asked for.
 */
function loadPciIds(paths: readonly string[], cache: string | undefined): { ids: PciIds; path: string | null } {
  for (const path of paths) {
    let key: string;
    try {
      const st = statSync(path);
      if (!st.isFile()) continue;
      // "bytes": the index counts bytes (an older index, in UTF-16 units, is not reused).
      key = `${path}\0${st.mtimeMs}\0${st.size}\0bytes`;
    } catch {
      continue;
    }
    const cached = pciIdsCache.get(path);
    if (cached?.key === key) return { ids: cached.ids, path };
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      continue;
    }
    if (!hasText(bytes)) continue;
    let index = storedIndex(cache, key);
    if (!index) {
      index = indexPciIds(bytes);
      storeIndex(cache, key, index);
    }
    const ids = pciIdsFromIndex(bytes, index);
    pciIdsCache.set(path, { key, ids });
    return { ids, path };
  }
  return { ids: NO_PCI_IDS, path: null };
}

async function loadAliases(modulesRoot: string, release: string | null): Promise<{ aliases: ModuleAliases; path: string | null }> {
  if (!release) return { aliases: NO_ALIASES, path: null };
  const path = join(modulesRoot, release, 'modules.alias');
  const text = await readText(path);
  return text ? { aliases: parseModulesAlias(text), path } : { aliases: NO_ALIASES, path: null };
}

/** Loaded modules: /proc/modules, plus built-ins that only show in /sys/module. */
async function loadedModules(roots: HostRoots): Promise<Set<string>> {
  const names = new Set(((await readText(join(roots.proc, 'modules'))) ?? '').split('\n').map((l) => l.split(' ')[0]!).filter(Boolean));
  for (const name of await listDir(join(roots.sys, 'module'))) names.add(name);
  return names;
}

/**
 * Interrupt remapping as the kernel shows it to every user: with remapping on,
 * MSI and IO-APIC interrupt chips are named `IR-PCI-MSI…` / `IR-IO-APIC` in
 * /proc/interrupts (arch/x86 irq remapping), on Intel and AMD alike.
 */
function interruptRemapping(interrupts: string | null, iommuActive: boolean): HostReport['iommu']['interruptRemapping'] {
  if (!interrupts || !iommuActive) return 'unknown';
  if (/\bIR-(PCI-MSI|IO-APIC)/.test(interrupts)) return 'enabled';
  return /\b(PCI-MSI|IO-APIC)/.test(interrupts) ? 'unsupported' : 'unknown';
}

/** Refuse roots that are not sysfs/procfs trees, instead of reporting an empty host. */
async function checkRoots(roots: HostRoots): Promise<void> {
  if (!(await fileExists(join(roots.sys, 'bus', 'pci', 'devices')))) {
    throw VitrineError.of('host-root', msg('error.host.notSysfs', { path: roots.sys }), msg('error.host.notSysfsHint'));
  }
  if (!(await fileExists(join(roots.proc, 'cpuinfo')))) {
    throw VitrineError.of('host-root', msg('error.host.notProcfs', { path: roots.proc }), msg('error.host.notProcfsHint'));
  }
}

/**
 * Read the host in one pass: CPU, /dev/kvm, IOMMU, kernel parameters, vfio
 * modules, every PCI device and its group, and the GPU verdicts. Reads files
 * only (no process per device), in parallel.
 */
export async function scanHost(roots: HostRoots): Promise<HostReport> {
  await checkRoots(roots);
  const release = await readText(join(roots.proc, 'sys', 'kernel', 'osrelease'));
  const [cpuinfo, cmdline, interrupts, kvmPresent, kvmAccessible, units, groups, modules, names, aliases, unsafe] = await Promise.all([
    readText(join(roots.proc, 'cpuinfo')),
    readText(join(roots.proc, 'cmdline')),
    readText(join(roots.proc, 'interrupts')),
    fileExists(join(roots.dev, 'kvm')),
    canReadWrite(join(roots.dev, 'kvm')),
    listDir(join(roots.sys, 'class', 'iommu')),
    scanIommuGroups(roots.sys),
    loadedModules(roots),
    loadPciIds(roots.pciIds, roots.cacheDir),
    loadAliases(roots.modules, release),
    readText(join(roots.sys, 'module', 'vfio_iommu_type1', 'parameters', 'allow_unsafe_interrupts')),
  ]);
  const params = parseCmdline(cmdline ?? '');
  const devices = await scanPciDevices(roots.sys, roots.proc, names.ids, aliases.aliases, groups);
  const active = groups.length > 0;
  const unsafeParam = paramValue(params, 'vfio_iommu_type1.allow_unsafe_interrupts');
  return {
    cpu: parseCpuinfo(cpuinfo ?? ''),
    kvm: { present: kvmPresent, accessible: kvmPresent && kvmAccessible },
    iommu: {
      active,
      groupCount: groups.length,
      units: units.sort(),
      interruptRemapping: interruptRemapping(interrupts, active),
      allowUnsafeInterrupts: unsafe !== null ? unsafe === 'Y' || unsafe === '1' : unsafeParam !== undefined ? unsafeParam === '1' || unsafeParam === 'Y' : null,
    },
    kernel: { release, cmdline: cmdline ?? '', params: relevantParams(params) },
    modules: {
      vfio: modules.has('vfio'),
      vfioPci: modules.has('vfio_pci'),
      vfioIommuType1: modules.has('vfio_iommu_type1'),
      kvmfr: modules.has('kvmfr'),
    },
    pciIds: names.path,
    modulesAlias: aliases.path,
    devices,
    groups,
    gpus: assessGpus(devices, active),
  };
}
