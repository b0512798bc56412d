import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckItem, HostReport } from '../../shared/api';
import { pendingBootConfig, readBootConfig, type BootConfigFacts } from '../../main/host/boot-config';
import { buildChecklist } from '../../main/host/checklist';
import { detectProxmox, parsePveversion, type EnvironmentFacts } from '../../main/host/environment';
import { hostRoots } from '../../main/host/roots';
import { FAMILIES, tempFamilyRoot } from '../support/etc-trees';
import { scanHost } from '../../main/host/scan';
import { tempHostTree, type HostSpec } from '../support/host-tree';
import { FIXTURE_HOSTS } from '../support/hosts';
import en from '../../shared/i18n/en.json';
import fr from '../../shared/i18n/fr.json';
import { formatMessage, isMsg, msg, templateOf, type Msg } from '../../shared/i18n/message';

const goodEnv: EnvironmentFacts = {
  os: { family: 'debian', name: 'Debian GNU/Linux 12 (bookworm)' },
  user: { name: 'alice', configuredGroups: ['kvm', 'libvirt'], sessionGroups: ['kvm', 'libvirt'] },
  tools: { virsh: '/usr/bin/virsh', qemuImg: '/usr/bin/qemu-img', swtpm: '/usr/bin/swtpm', lookingGlass: '/usr/local/bin/looking-glass-client' },
  libvirt: { uri: 'qemu:///system', reachable: true, hypervisor: 'QEMU 7.2.0', error: null },
  firmware: {
    plain: { code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.fd', source: 'x' },
    secureBoot: { code: '/usr/share/OVMF/OVMF_CODE_4M.ms.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.ms.fd', source: 'x' },
  },
};

const trees: { remove(): void }[] = [];
afterAll(() => trees.forEach((t) => t.remove()));
async function checklist(spec: HostSpec, env: EnvironmentFacts = goodEnv): Promise<Record<string, CheckItem>> {
  const tree = tempHostTree(spec);
  trees.push(tree);
  const report: HostReport = await scanHost(tree);
  return Object.fromEntries(buildChecklist(report, env).map((c) => [c.id, c]));
}

describe('readiness checklist', () => {
  it('is all green for a prepared host with every tool', async () => {
    const checks = await checklist(FIXTURE_HOSTS.seed003XeonPrepared);
    const notOk = Object.values(checks).filter((c) => c.status !== 'ok');
    expect(notOk).toEqual([]);
    expect(Object.values(checks).every((c) => c.fix === null)).toBe(true);
  });

  it('names the AMD firmware menu (seed 001) when the IOMMU is off', async () => {
    const checks = await checklist(FIXTURE_HOSTS.iommuOff);
    expect(checks['iommu']).toMatchObject({ status: 'fail' });
    expect(checks['iommu']!.fix).toContain('Settings > AMD CBS > NBIO > IOMMU');
    expect(checks['gpu']).toMatchObject({ status: 'fail' });
    expect(checks['interrupt-remapping']!.status).toBe('unknown');
    expect(checks['iommu-passthrough-mode']).toMatchObject({ status: 'warn', fix: expect.stringContaining('iommu=pt') });
  });

  it('asks Intel hosts for VT-d and intel_iommu=on', async () => {
    const spec: HostSpec = { ...FIXTURE_HOSTS.seed003Xeon, iommu: 'off', cmdline: 'BOOT_IMAGE=/vmlinuz ro quiet' };
    const checks = await checklist(spec);
    expect(checks['iommu']!.detail).toContain('intel_iommu=on is not on the kernel command line');
    expect(checks['iommu']!.fix).toMatch(/VT-d.*intel_iommu=on/);
  });

  it('fails interrupt remapping without it, and says the cost of the workaround', async () => {
    const checks = await checklist({ ...FIXTURE_HOSTS.seed003Xeon, interruptRemapping: false });
    expect(checks['interrupt-remapping']).toMatchObject({ status: 'fail' });
    expect(checks['interrupt-remapping']!.fix).toMatch(/allow_unsafe_interrupts=1.*Security cost/);
  });

  it('explains a missing VT-x flag and a missing /dev/kvm', async () => {
    const spec: HostSpec = { ...FIXTURE_HOSTS.seed003Xeon, cpu: { ...FIXTURE_HOSTS.seed003Xeon.cpu, flags: ['fpu', 'hypervisor'] }, kvm: false };
    const checks = await checklist(spec);
    expect(checks['cpu-virtualization']).toMatchObject({ status: 'fail', fix: expect.stringContaining('Intel Virtualization Technology') });
    expect(checks['cpu-virtualization']!.fix).toContain('nested virtualisation');
    expect(checks['kvm']).toMatchObject({ status: 'fail', fix: expect.stringContaining('modprobe kvm_intel') });
  });

  it('warns about groups, names the package per distribution, and a missing client', async () => {
    const env: EnvironmentFacts = {
      ...goodEnv,
      os: { family: 'fedora', name: 'Fedora Linux 40' },
      user: { name: 'bob', configuredGroups: ['libvirt'], sessionGroups: [] },
      tools: { virsh: '/usr/bin/virsh', qemuImg: null, swtpm: null, lookingGlass: null },
      firmware: { plain: null, secureBoot: null },
    };
    const checks = await checklist(FIXTURE_HOSTS.seed001Ryzen, env);
    expect(checks['user-groups']).toMatchObject({ status: 'warn', fix: 'sudo usermod -aG kvm bob, then log out and back in.' });
    expect(checks['qemu-img']).toMatchObject({ status: 'fail', fix: 'sudo dnf install qemu-img' });
    expect(checks['swtpm']).toMatchObject({ status: 'warn', fix: 'sudo dnf install swtpm swtpm-tools' });
    expect(checks['firmware']).toMatchObject({ status: 'fail', fix: 'sudo dnf install edk2-ovmf' });
    expect(checks['looking-glass-client']!.status).toBe('warn');
    // How to get the client on Fedora (COPR), and kvmfr.
    expect(checks['looking-glass-client']!.fix).toContain('COPR');
    expect(checks['looking-glass-client']!.fix).toContain('sudo dnf install looking-glass-client');
    expect(checks['looking-glass-client']!.fix).toContain('kvmfr');
    const arch = await checklist(FIXTURE_HOSTS.seed001Ryzen, { ...env, os: { family: 'arch', name: 'Arch Linux' } });
    expect(arch['looking-glass-client']!.fix).toContain('AUR package looking-glass');
    expect(arch['looking-glass-client']!.fix).toContain('looking-glass-module-dkms');
    const debian = await checklist(FIXTURE_HOSTS.seed001Ryzen, { ...env, os: { family: 'debian', name: 'Debian GNU/Linux 12' } });
    expect(debian['looking-glass-client']!.fix).toContain('sudo apt install binutils-dev cmake fonts-dejavu-core');
    expect(debian['looking-glass-client']!.fix).toContain('dkms install');
    expect(checks['gpu']!.status).toBe('ok');
  });

  it('passes the libvirt error through with its hint', async () => {
    const env: EnvironmentFacts = {
      ...goodEnv,
      libvirt: { uri: 'qemu:///system', reachable: false, hypervisor: null, error: { kind: 'connect', message: "Cannot connect to libvirt at 'qemu:///system': no socket", hint: 'Start libvirtd.' } },
    };
    const checks = await checklist(FIXTURE_HOSTS.seed001Ryzen, env);
    expect(checks['libvirt']).toMatchObject({ status: 'fail', detail: "Cannot connect to libvirt at 'qemu:///system': no socket", fix: 'Start libvirtd.' });
  });

  it('warns for a host whose only GPUs share a group or are the boot GPU', async () => {
    expect((await checklist(FIXTURE_HOSTS.singleGpu))['gpu']!.status).toBe('warn');
    const laptop = (await checklist(FIXTURE_HOSTS.laptop))['gpu']!;
    expect(laptop.status).toBe('warn');
    expect(laptop.detail).toContain('3D controller without display outputs');
  });
});

describe('Proxmox VE and boot configuration that never reached the boot', () => {
  const boot = (over: Partial<BootConfigFacts> = {}): BootConfigFacts => ({ grubDefault: null, kernelCmdline: null, proxmoxBootTool: false, grubTool: 'update-grub', grubCfg: null, ...over });
  const seed001Grub = 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet iommu=pt"\nGRUB_CMDLINE_LINUX=""\n';
  const notBooted: HostSpec = { ...FIXTURE_HOSTS.seed001Ryzen, cmdline: 'BOOT_IMAGE=/boot/vmlinuz-6.5.11-8-pve root=/dev/mapper/pve-root ro quiet' };

  it('seed 001: iommu=pt in /etc/default/grub but not on /proc/cmdline names update-grub as the command not run', async () => {
    const checks = await checklist(notBooted, { ...goodEnv, boot: boot({ grubDefault: seed001Grub }) });
    expect(checks['boot-config-applied']).toMatchObject({ status: 'warn', fix: 'Run: sudo update-grub, then reboot.' });
    expect(checks['boot-config-applied']!.detail).toBe(
      'iommu=pt is in /etc/default/grub but not on the running kernel’s command line: update-grub was not run after the edit (or the host was not rebooted since). update-initramfs does not carry kernel parameters to the boot.',
    );
  });

  it('names proxmox-boot-tool refresh where proxmox-boot-tool keeps the ESPs (GRUB mode or /etc/kernel/cmdline)', async () => {
    const grubMode = await checklist(notBooted, { ...goodEnv, boot: boot({ grubDefault: seed001Grub, proxmoxBootTool: true }) });
    expect(grubMode['boot-config-applied']).toMatchObject({ status: 'warn', fix: 'Run: sudo proxmox-boot-tool refresh, then reboot.' });
    const zfs: HostSpec = { ...FIXTURE_HOSTS.seed000Z490, cmdline: 'initrd=\\EFI\\proxmox\\5.4.78-2-pve\\initrd.img-5.4.78-2-pve root=ZFS=rpool/ROOT/pve-1 boot=zfs' };
    const cmdlineMode = await checklist(zfs, { ...goodEnv, boot: boot({ grubDefault: seed001Grub, kernelCmdline: 'root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt\n', proxmoxBootTool: true }) });
    expect(cmdlineMode['boot-config-applied']!.detail).toContain('intel_iommu=on iommu=pt are in /etc/kernel/cmdline but not on the running kernel’s command line: proxmox-boot-tool refresh was not run');
  });

  it('says only the reboot is missing when GRUB’s menu already has the parameters, and is ok once booted', async () => {
    const grubCfg = "menuentry 'Proxmox VE GNU/Linux' {\n\tlinux\t/boot/vmlinuz-6.5.11-8-pve root=/dev/mapper/pve-root ro quiet iommu=pt\n}\n";
    const regenerated = await checklist(notBooted, { ...goodEnv, boot: boot({ grubDefault: seed001Grub, grubCfg }) });
    expect(regenerated['boot-config-applied']).toMatchObject({ status: 'warn', fix: 'Reboot the host.' });
    const booted = await checklist(FIXTURE_HOSTS.seed001Ryzen, { ...goodEnv, boot: boot({ grubDefault: seed001Grub }) });
    expect(booted['boot-config-applied']).toMatchObject({ status: 'ok', fix: null });
  });

  it('a Fedora host names grub2-mkconfig; a host without boot files has no such item', async () => {
    const fedora = await checklist(notBooted, { ...goodEnv, boot: boot({ grubDefault: 'GRUB_CMDLINE_LINUX="rhgb quiet amd_iommu=on"\n', grubTool: 'grub2-mkconfig' }) });
    expect(fedora['boot-config-applied']!.fix).toBe('Run: sudo grub2-mkconfig -o /boot/grub2/grub.cfg, then reboot.');
    expect((await checklist(notBooted, { ...goodEnv, boot: boot() }))['boot-config-applied']).toBeUndefined();
  });

  it('on Proxmox: says so and what differs; qm instead of virsh and libvirt; root is expected; the card’s own outputs', async () => {
    const env: EnvironmentFacts = {
      ...goodEnv,
      user: { name: 'root', configuredGroups: [], sessionGroups: [] },
      tools: { virsh: null, qemuImg: '/usr/bin/qemu-img', swtpm: '/usr/bin/swtpm', lookingGlass: null },
      firmware: { plain: null, secureBoot: null },
      proxmox: { version: '8.2.4', qm: '/usr/sbin/qm', ovmf: true },
    };
    const checks = await checklist(FIXTURE_HOSTS.seed001Ryzen, env);
    expect(checks['proxmox']).toMatchObject({ status: 'ok', title: 'Proxmox VE 8.2.4' });
    expect(checks['proxmox']!.detail).toContain('not through libvirt');
    expect(checks['proxmox']!.detail).toContain('qm');
    expect(checks['virsh']).toBeUndefined();
    expect(checks['libvirt']).toBeUndefined();
    expect(checks['qm']).toMatchObject({ status: 'ok' });
    expect(checks['user-groups']).toMatchObject({ status: 'ok' });
    expect(checks['firmware']).toMatchObject({ status: 'ok' });
    expect(checks['looking-glass-client']!.detail).toContain('card’s own outputs');
    const noQm = await checklist(FIXTURE_HOSTS.seed001Ryzen, { ...env, user: goodEnv.user, proxmox: { version: null, qm: null, ovmf: false } });
    expect(noQm['qm']).toMatchObject({ status: 'fail', fix: expect.stringContaining('qemu-server') });
    expect(noQm['user-groups']).toMatchObject({ status: 'warn', fix: expect.stringContaining('sudo vitrine proxmox') });
    expect(noQm['proxmox']!.title).toBe('Proxmox VE');
  });

  it('reads pveversion’s line', () => {
    expect(parsePveversion('pve-manager/8.2.4/faa83925c9641325 (running kernel: 6.8.8-2-pve)\n')).toBe('8.2.4');
    expect(parsePveversion('pve-manager/7.4-17/513c62be (running kernel: 5.15.131-2-pve)')).toBe('7.4-17');
    expect(parsePveversion('nonsense')).toBeNull();
  });
});

describe('the boot configuration read from a Proxmox fixture root (seed 001)', () => {
  it('finds iommu=pt in its /etc/default/grub, not on its /proc/cmdline, and names update-grub', async () => {
    const root = tempFamilyRoot(FAMILIES.find((f) => f.name === 'proxmox-grub-seed001')!);
    trees.push(root);
    const roots = hostRoots({ sys: join(root.dir, 'sys'), proc: join(root.dir, 'proc'), dev: join(root.dir, 'dev'), modules: join(root.dir, 'lib', 'modules'), etc: join(root.dir, 'etc'), root: root.dir });
    const [report, bootFacts, pve] = await Promise.all([scanHost(roots), readBootConfig(roots), detectProxmox(roots)]);
    expect(pve).toMatchObject({ ovmf: false });
    expect(pendingBootConfig(bootFacts, report.kernel.cmdline)).toEqual({ file: '/etc/default/grub', missing: ['iommu=pt'], command: 'update-grub', regenerated: false });
    const checks = Object.fromEntries(buildChecklist(report, { ...goodEnv, boot: bootFacts, proxmox: pve }).map((c) => [c.id, c]));
    expect(checks['proxmox']!.status).toBe('ok');
    expect(checks['boot-config-applied']).toMatchObject({ status: 'warn', fix: 'Run: sudo update-grub, then reboot.' });
  });
});

describe('checklist and GPU verdicts in the user language', () => {
  const catalogues = { en: en as Record<string, unknown>, fr: fr as Record<string, unknown> };
  /** Every message inside a value: the check's title, detail and fix, and the messages nested in their values. */
  const messagesIn = (m: Msg): Msg[] => [m, ...Object.values(m.params ?? {}).flatMap((v) => (Array.isArray(v) ? v.flatMap(messagesIn) : isMsg(v) ? messagesIn(v) : []))];
  const envs: EnvironmentFacts[] = [
    goodEnv,
    { ...goodEnv, os: { family: 'other', name: 'Gentoo' }, user: { name: 'bob', configuredGroups: ['kvm'], sessionGroups: [] }, tools: { virsh: null, qemuImg: null, swtpm: null, lookingGlass: null }, firmware: { plain: null, secureBoot: null } },
    { ...goodEnv, user: { name: 'root', configuredGroups: [], sessionGroups: [] }, libvirt: { uri: 'qemu:///system', reachable: false, hypervisor: null, error: null } },
  ];

  it('every key exists in both languages and the French leaves no placeholder and no English sentence', async () => {
    let count = 0;
    for (const spec of Object.values(FIXTURE_HOSTS)) {
      const tree = tempHostTree(spec);
      trees.push(tree);
      const report = await scanHost(tree);
      for (const env of envs) {
        for (const check of buildChecklist(report, env)) {
          const parts = [check.msg.title, check.msg.detail, ...(check.msg.fix ? [check.msg.fix] : [])];
          expect(formatMessage(catalogues.en, 'en', check.msg.detail)).toBe(check.detail);
          for (const m of parts.flatMap(messagesIn)) {
            count++;
            const c = typeof m.params?.['count'] === 'number' ? m.params['count'] : undefined;
            for (const [lang, catalogue] of Object.entries(catalogues)) expect(templateOf(catalogue, lang, m.key, c), `${lang}: ${m.key}`).not.toBeNull();
          }
          for (const m of parts) {
            const french = formatMessage(catalogues.fr, 'fr', m);
            expect(french).not.toMatch(/\{\{/);
            expect(french === formatMessage(catalogues.en, 'en', m) && / the | is | not /.test(french), `English left in French: ${french}`).toBe(false);
          }
        }
      }
    }
    expect(count).toBeGreaterThan(100);
  }, 60_000);

  it('plural forms follow the language: 1 group, 12 groups, no "1 groups"', () => {
    const one = msg('check.iommu.on', { count: 1, units: '' });
    expect(formatMessage(catalogues.en, 'en', one)).toBe('The IOMMU is on: 1 IOMMU group.');
    expect(formatMessage(catalogues.fr, 'fr', one)).toBe('L’IOMMU est actif : 1 groupe IOMMU.');
    expect(formatMessage(catalogues.fr, 'fr', msg('check.iommu.on', { count: 12, units: '' }))).toBe('L’IOMMU est actif : 12 groupes IOMMU.');
  });

  it('says no "seed" to the user', async () => {
    for (const spec of Object.values(FIXTURE_HOSTS)) {
      for (const check of Object.values(await checklist(spec))) expect(`${check.title} ${check.detail} ${check.fix ?? ''}`).not.toMatch(/\bseeds?\b/i);
    }
  }, 60_000);
});
