import type { CheckItem, HostReport } from '../../shared/api';
import { pendingBootConfig } from './boot-config';
import { LG_CLIENT_INSTALL } from '../../shared/lg-install';
import { msg, type Msg, type MsgValue } from '../../shared/i18n/message';
import { english } from '../common/text';
import { paramValue } from './cmdline';
import type { EnvironmentFacts, OsFamily } from './environment';

const INSTALL: Record<OsFamily, string | null> = {
  debian: 'sudo apt install',
  fedora: 'sudo dnf install',
  arch: 'sudo pacman -S',
  suse: 'sudo zypper install',
  other: null,
};

const PACKAGES: Record<'virsh' | 'libvirtd' | 'qemuImg' | 'swtpm' | 'ovmf', Record<OsFamily, string>> = {
  virsh: { debian: 'libvirt-clients', fedora: 'libvirt-client', arch: 'libvirt', suse: 'libvirt-client', other: 'libvirt (virsh)' },
  libvirtd: { debian: 'libvirt-daemon-system', fedora: 'libvirt-daemon-kvm', arch: 'libvirt', suse: 'libvirt-daemon', other: 'libvirtd' },
  qemuImg: { debian: 'qemu-utils', fedora: 'qemu-img', arch: 'qemu-img', suse: 'qemu-tools', other: 'qemu-img' },
  swtpm: { debian: 'swtpm swtpm-tools', fedora: 'swtpm swtpm-tools', arch: 'swtpm', suse: 'swtpm', other: 'swtpm' },
  ovmf: { debian: 'ovmf', fedora: 'edk2-ovmf', arch: 'edk2-ovmf', suse: 'qemu-ovmf-x86_64', other: 'OVMF (edk2, x86_64)' },
};

/** The install command for packages, or "install with your package manager: …" where the family is unknown. */
function install(family: OsFamily, ...what: (keyof typeof PACKAGES)[]): Msg {
  const packages = what.map((w) => PACKAGES[w][family]).join(' ');
  const command = INSTALL[family];
  return command ? msg('check.install.run', { command: `${command} ${packages}` }) : msg('check.install.other', { packages });
}

function item(id: string, status: CheckItem['status'], title: Msg, detail: Msg, fix: Msg | null = null): CheckItem {
  const kept = status === 'ok' ? null : fix;
  return { id, status, title: english(title), detail: english(detail), fix: kept && english(kept), msg: { title, detail, fix: kept } };
}

/** `kvm` or `kvm and libvirt`, in the user's language. */
function both(names: string[]): MsgValue {
  return names.length === 2 ? msg('check.and', { a: names[0]!, b: names[1]! }) : names.join(', ');
}

/** Where the firmware switch lives, by CPU vendor. */
function firmwareIommuHint(vendor: HostReport['cpu']['vendor']): Msg {
  return msg(`check.firmwareIommu.${vendor}`);
}

/**
 * The readiness checklist: one item per thing a passthrough host needs, each
 * with a specific fix. Pure: from the host report and the environment facts.
 */
export function buildChecklist(report: HostReport, env: EnvironmentFacts): CheckItem[] {
  const { cpu, kvm, iommu, kernel, modules } = report;
  const family = env.os.family;
  const user = env.user.name;
  const checks: CheckItem[] = [];
  const virt: MsgValue = cpu.vendor === 'amd' ? 'AMD-V (SVM)' : cpu.vendor === 'intel' ? 'Intel VT-x' : msg('check.cpu.virtGeneric');
  const model: MsgValue = cpu.model ?? msg('check.cpu.theCpu');
  const pve = env.proxmox ?? null;

  if (pve) {
    checks.push(item('proxmox', 'ok', msg('check.pve.title', { version: pve.version ? ` ${pve.version}` : '' }), msg('check.pve.detail')));
  }

  const nested: MsgValue = cpu.inVirtualMachine ? msg('check.cpu.nested') : '';
  checks.push(
    item(
      'cpu-virtualization',
      cpu.virtualization ? 'ok' : 'fail',
      msg('check.cpu.title', { virt }),
      cpu.virtualization ? msg('check.cpu.ok', { model, virt }) : msg('check.cpu.missing', { model, virt, flag: cpu.vendor === 'amd' ? 'svm' : 'vmx' }),
      msg(cpu.vendor === 'amd' ? 'check.cpu.fixAmd' : 'check.cpu.fixIntel', { nested }),
    ),
  );

  const kvmModule = cpu.vendor === 'amd' ? 'kvm_amd' : 'kvm_intel';
  const kvmTitle = msg('check.kvm.title');
  if (!kvm.present) {
    checks.push(item('kvm', 'fail', kvmTitle, msg('check.kvm.missing'), msg('check.kvm.missingFix', { virt, module: kvmModule })));
  } else if (!cpu.virtualization) {
    checks.push(item('kvm', 'warn', kvmTitle, msg('check.kvm.noVirt', { virt }), msg('check.kvm.noVirtFix', { virt })));
  } else if (!kvm.accessible) {
    checks.push(item('kvm', 'warn', kvmTitle, msg('check.kvm.denied', { user }), msg('check.kvm.deniedFix', { user })));
  } else {
    checks.push(item('kvm', 'ok', kvmTitle, msg('check.kvm.ok', { user })));
  }

  const iommuParam = cpu.vendor === 'intel' ? paramValue(kernel.params, 'intel_iommu') : paramValue(kernel.params, 'amd_iommu');
  const why: MsgValue = iommuParam === 'off' ? msg('check.iommu.offByCmdline') : cpu.vendor === 'intel' && iommuParam === undefined ? msg('check.iommu.noIntelParam') : '';
  checks.push(
    item(
      'iommu',
      iommu.active ? 'ok' : 'fail',
      msg('check.iommu.title'),
      iommu.active ? msg('check.iommu.on', { count: iommu.groupCount, units: iommu.units.length ? ` (${iommu.units.join(', ')})` : '' }) : msg('check.iommu.off', { why }),
      iommuParam === 'off' ? msg('check.iommu.removeOff', { param: cpu.vendor === 'intel' ? 'intel_iommu' : 'amd_iommu', hint: firmwareIommuHint(cpu.vendor) }) : firmwareIommuHint(cpu.vendor),
    ),
  );

  const pt = paramValue(kernel.params, 'iommu');
  checks.push(
    item(
      'iommu-passthrough-mode',
      pt === 'pt' ? 'ok' : 'warn',
      msg('check.pt.title'),
      msg(pt === 'pt' ? 'check.pt.ok' : 'check.pt.missing'),
      msg('check.pt.fix'),
    ),
  );

  const pending = env.boot ? pendingBootConfig(env.boot, kernel.cmdline) : null;
  if (env.boot && (env.boot.grubDefault !== null || env.boot.kernelCmdline !== null)) {
    const regenerateOnly = pending?.regenerated === true;
    const params = { params: pending?.missing.join(' ') ?? '', count: pending?.missing.length ?? 0, file: pending?.file ?? '', command: pending?.command ?? '', grubNote: pending?.file === '/etc/default/grub' ? msg('check.boot.grubNote') : '' };
    checks.push(
      item(
        'boot-config-applied',
        pending ? 'warn' : 'ok',
        msg('check.boot.title'),
        !pending ? msg('check.boot.ok') : regenerateOnly ? msg('check.boot.notRebooted', params) : msg('check.boot.notRun', params),
        !pending ? null : regenerateOnly ? msg('check.boot.rebootFix') : msg('check.boot.runFix', params),
      ),
    );
  }

  const irTitle = msg('check.ir.title');
  if (!iommu.active) {
    checks.push(item('interrupt-remapping', 'unknown', irTitle, msg('check.ir.untilIommu'), msg('check.ir.untilIommuFix')));
  } else if (iommu.interruptRemapping === 'enabled') {
    checks.push(item('interrupt-remapping', 'ok', irTitle, msg('check.ir.ok')));
  } else if (iommu.interruptRemapping === 'unsupported') {
    checks.push(
      item(
        'interrupt-remapping',
        iommu.allowUnsafeInterrupts ? 'warn' : 'fail',
        irTitle,
        msg(iommu.allowUnsafeInterrupts ? 'check.ir.unsafeAllowed' : 'check.ir.refused'),
        msg('check.ir.unsupportedFix'),
      ),
    );
  } else {
    checks.push(item('interrupt-remapping', 'unknown', irTitle, msg('check.ir.unknown'), msg('check.ir.unknownFix')));
  }

  checks.push(
    item('vfio-modules', modules.vfioPci ? 'ok' : 'warn', msg('check.vfio.title'), msg(modules.vfioPci ? 'check.vfio.ok' : 'check.vfio.missing'), msg(pve ? 'check.vfio.fixPve' : 'check.vfio.fix')),
  );

  const usable = report.gpus.filter((g) => g.verdict === 'ready' || g.verdict === 'passable');
  const gpuTitle = msg('check.gpu.title');
  if (report.gpus.length === 0) {
    checks.push(item('gpu', 'fail', gpuTitle, msg('check.gpu.none'), msg('check.gpu.noneFix')));
  } else if (usable.length > 0) {
    checks.push(item('gpu', 'ok', gpuTitle, msg('check.list', { items: usable.map((g) => g.sentenceMsg) })));
  } else {
    const onlyNoIommu = report.gpus.every((g) => g.verdict === 'no-iommu');
    checks.push(
      item(
        'gpu',
        onlyNoIommu ? 'fail' : report.gpus.some((g) => g.verdict === 'shares-group' || g.verdict === 'boot-gpu') ? 'warn' : 'fail',
        gpuTitle,
        msg('check.list', { items: report.gpus.map((g) => g.sentenceMsg) }),
        onlyNoIommu ? firmwareIommuHint(cpu.vendor) : msg('check.gpu.seeEach'),
      ),
    );
  }

  const at = (tool: string, path: string): Msg => msg('check.toolAt', { tool, path });
  if (pve) {
    checks.push(item('qm', pve.qm ? 'ok' : 'fail', msg('check.pve.qmTitle'), pve.qm ? msg('check.pve.qmOk', { path: pve.qm }) : msg('check.pve.qmMissing'), msg('check.pve.qmFix')));
  } else checks.push(
    item(
      'virsh',
      env.tools.virsh ? 'ok' : 'fail',
      msg('check.virsh.title'),
      env.tools.virsh ? at('virsh', env.tools.virsh) : msg('check.virsh.missing'),
      install(family, 'virsh', 'libvirtd'),
    ),
  );
  if (env.tools.virsh && !pve) {
    const uri = env.libvirt.uri;
    const error = env.libvirt.error;
    checks.push(
      item(
        'libvirt',
        env.libvirt.reachable ? 'ok' : 'fail',
        msg('check.libvirt.title', { uri }),
        env.libvirt.reachable
          ? msg('check.libvirt.ok', { uri, hypervisor: env.libvirt.hypervisor ? ` (${env.libvirt.hypervisor})` : '' })
          : error
            ? (error.msg?.message ?? msg('check.text', { text: error.message }))
            : msg('check.libvirt.unreachable', { uri }),
        error ? (error.msg?.hint ?? msg('check.text', { text: error.hint })) : msg('check.libvirt.fix'),
      ),
    );
  }

  if (pve) {
    checks.push(item('user-groups', user === 'root' ? 'ok' : 'warn', msg('check.pve.userTitle', { user }), msg(user === 'root' ? 'check.pve.userRoot' : 'check.pve.userNotRoot', { user }), msg('check.pve.userFix')));
  } else if (user === 'root') {
    checks.push(item('user-groups', 'warn', msg('check.groups.rootTitle'), msg('check.groups.root'), msg('check.groups.rootFix')));
  } else {
    const wanted = env.libvirt.uri.startsWith('qemu:///system') ? ['kvm', 'libvirt'] : ['kvm'];
    const missing = wanted.filter((g) => !env.user.configuredGroups.includes(g) && !env.user.sessionGroups.includes(g));
    const notYet = wanted.filter((g) => env.user.configuredGroups.includes(g) && !env.user.sessionGroups.includes(g));
    checks.push(
      item(
        'user-groups',
        missing.length === 0 && notYet.length === 0 ? 'ok' : 'warn',
        msg('check.groups.title', { user }),
        missing.length > 0
          ? msg('check.groups.missing', { user, groups: both(missing) })
          : notYet.length > 0
            ? msg('check.groups.notYet', { user, groups: both(notYet) })
            : msg('check.groups.ok', { user, groups: both(wanted) }),
        missing.length > 0 ? msg('check.groups.missingFix', { user, groups: missing.join(',') }) : msg('check.groups.relogFix'),
      ),
    );
  }

  const fw = env.firmware;
  if (pve) {
    const found = fw.secureBoot ?? fw.plain;
    checks.push(
      item(
        'firmware',
        pve.ovmf || found ? 'ok' : 'fail',
        msg('check.firmware.title'),
        pve.ovmf ? msg('check.pve.ovmf') : found ? msg('check.firmware.plain', { code: found.code }) : msg('check.firmware.none'),
        msg('check.pve.ovmfFix'),
      ),
    );
  } else checks.push(
    item(
      'firmware',
      fw.secureBoot ? 'ok' : fw.plain ? 'warn' : 'fail',
      msg('check.firmware.title'),
      fw.secureBoot ? msg('check.firmware.secure', { code: fw.secureBoot.code }) : fw.plain ? msg('check.firmware.plain', { code: fw.plain.code }) : msg('check.firmware.none'),
      install(family, 'ovmf'),
    ),
  );
  checks.push(
    item('swtpm', env.tools.swtpm ? 'ok' : 'warn', msg('check.swtpm.title'), env.tools.swtpm ? at('swtpm', env.tools.swtpm) : msg('check.swtpm.missing'), install(family, 'swtpm')),
  );
  checks.push(
    item(
      'qemu-img',
      env.tools.qemuImg ? 'ok' : 'fail',
      msg('check.qemuImg.title'),
      env.tools.qemuImg ? at('qemu-img', env.tools.qemuImg) : msg('check.qemuImg.missing'),
      install(family, 'qemuImg'),
    ),
  );
  if (pve) {
    checks.push(
      item(
        'looking-glass-client',
        env.tools.lookingGlass ? 'ok' : 'unknown',
        msg('check.lg.title'),
        env.tools.lookingGlass ? msg('check.pve.lgAt', { path: env.tools.lookingGlass }) : msg('check.pve.lgNone'),
        msg('check.pve.lgFix'),
      ),
    );
    return checks;
  }
  checks.push(
    item(
      'looking-glass-client',
      env.tools.lookingGlass ? 'ok' : 'warn',
      msg('check.lg.title'),
      env.tools.lookingGlass ? at('looking-glass-client', env.tools.lookingGlass) : msg('check.lg.missing'),
      // The commands stay as written (shown as code); the sentences around them are the user's language.
      msg('check.lg.fixFor', { how: msg(`lgClient.how.${family}`), commands: LG_CLIENT_INSTALL[family].commands.map((c) => `\`${c}\``).join('; '), kvmfr: msg(`lgClient.kvmfr.${family}`) }),
    ),
  );
  return checks;
}
