import { join } from 'node:path';
import type { HostReport } from '../../shared/api';
import { VitrineError } from '../common/errors';
import { parseCmdline, paramValue, relevantParams } from './cmdline';
import { parseCpuinfo } from './cpuinfo';
import { canReadWrite, fileExists, listDir, readText } from './fs-read';
import { NO_ALIASES, parseModulesAlias, type ModuleAliases } from './modules-alias';
import { NO_PCI_IDS, parsePciIds, type PciIds } from './pci-ids';
import { scanIommuGroups, scanPciDevices } from './pci-scan';
import type { HostRoots } from './roots';
import { assessGpus } from './verdicts';

const pciIdsCache = new Map<string, PciIds>();

/** The first readable pci.ids, parsed once per process. */
async function loadPciIds(paths: readonly string[]): Promise<{ ids: PciIds; path: string | null }> {
  for (const path of paths) {
    const cached = pciIdsCache.get(path);
    if (cached) return { ids: cached, path };
    const text = await readText(path);
    if (text) {
      const ids = parsePciIds(text);
      pciIdsCache.set(path, ids);
      return { ids, path };
    }
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
    throw new VitrineError({
      kind: 'host-root',
      message: `'${roots.sys}' is not a sysfs tree: it has no bus/pci/devices.`,
      hint: 'Point --sysfs-root at the folder that holds bus/, class/ and kernel/ (or leave it out to read /sys).',
    });
  }
  if (!(await fileExists(join(roots.proc, 'cpuinfo')))) {
    throw new VitrineError({
      kind: 'host-root',
      message: `'${roots.proc}' is not a procfs tree: it has no cpuinfo.`,
      hint: 'Point --proc-root at the folder that holds cpuinfo and cmdline (or leave it out to read /proc).',
    });
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
    loadPciIds(roots.pciIds),
    loadAliases(roots.modules, release),
    readText(join(roots.sys, 'module', 'vfio_iommu_type1', 'parameters', 'allow_unsafe_interrupts')),
  ]);
  const params = parseCmdline(cmdline ?? '');
  const devices = await scanPciDevices(roots.sys, roots.proc, names.ids, aliases.aliases);
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
