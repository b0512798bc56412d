import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostPlan, PlanRequest, PlanWrite } from '../../shared/api';
import { requestSchemas } from '../../shared/schemas';
import { formatMessage } from '../../shared/i18n/message';
import fr from '../../shared/i18n/fr.json';
import { hostRoots } from '../../main/host/roots';
import { VitrineError } from '../../main/common/errors';
import { formatPlan } from '../../main/setup/format';
import { planOnHost } from '../../main/setup/host-plan';
import { HUGEPAGES_SYSCTL } from '../../main/setup/hugepage-plan';
import { commandRefusal, manifestSchema } from '../../main/setup/helper/policy';
import { planUndo } from '../../main/setup/undo';
import { parseHugepages } from '../../main/cli/setup';
import { FAMILIES, tempFamilyRoot, type HostFamily } from '../support/etc-trees';
import type { HostSpec } from '../support/host-tree';
import { expectGolden } from '../support/golden';

const goldenDir = join(import.meta.dirname, '..', 'fixtures', 'setup');
const roots: { remove(): void }[] = [];
afterAll(() => roots.forEach((r) => r.remove()), 120_000);

const byName = (name: string): HostFamily => FAMILIES.find((f) => f.name === name)!;
const debian = byName('debian-grub-initramfs-tools');
const FLAGS_1G = ['fpu', 'vme', 'de', 'pse', 'vmx', 'pdpe1gb'];

/** A family's root with its host changed (memory, CPU flags, kernel line). */
function rootOf(family: HostFamily, host: Partial<HostSpec> = {}, files: Record<string, string> = {}): string {
  const root = tempFamilyRoot({ ...family, host: { ...family.host, ...host }, files: { ...family.files, ...files } });
  roots.push(root);
  return root.dir;
}

function planFor(dir: string, request: PlanRequest): Promise<HostPlan> {
  return planOnHost(requestSchemas['setup.plan'].parse(request), dir, hostRoots({ sys: join(dir, 'sys'), proc: join(dir, 'proc'), dev: join(dir, 'dev'), modules: join(dir, 'lib', 'modules') }));
}

const only = (hugepages: NonNullable<PlanRequest['hugepages']>, user = 'alice'): PlanRequest => ({ gpu: [], lookingGlass: null, user, hugepages });
const writeOf = (plan: HostPlan, path: string): PlanWrite | undefined => plan.steps.find((s): s is PlanWrite => s.kind === 'write' && s.path === path);
const runs = (plan: HostPlan): string[] => plan.steps.flatMap((s) => (s.kind === 'run' ? [s.argv.join(' ')] : []));

async function refusal(promise: Promise<unknown>): Promise<VitrineError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VitrineError);
  return error as VitrineError;
}

/** What the helper and a reboot leave: the writes, the pool as the sysctl file or the kernel line says, the new line. */
function simulate(dir: string, plan: HostPlan, pool: { sizeKiB: number; total: number } | null): void {
  for (const step of plan.steps) {
    if (step.kind !== 'write') continue;
    mkdirSync(join(dir, step.path, '..'), { recursive: true });
    if (step.after === null) writeFileSync(join(dir, step.path), '');
    else writeFileSync(join(dir, step.path), step.after);
  }
  const grub = writeOf(plan, '/etc/default/grub');
  if (grub?.after) writeFileSync(join(dir, 'proc', 'cmdline'), `BOOT_IMAGE=/vmlinuz ${grub.after.match(/GRUB_CMDLINE_LINUX_DEFAULT="([^"]*)"/)![1]!}\n`);
  if (pool) writeFileSync(join(dir, 'sys/kernel/mm/hugepages', `hugepages-${pool.sizeKiB}kB`, 'nr_hugepages'), `${pool.total}\n`);
}

describe('the request', () => {
  it('takes a page count or the memory to back, not both, and sizes of 2 MiB or 1 GiB only', () => {
    const schema = requestSchemas['setup.plan'];
    expect(schema.safeParse(only({ size: '2M', pages: 512 })).success).toBe(true);
    expect(schema.safeParse(only({ size: '1G', memoryMiB: 16384 })).success).toBe(true);
    expect(schema.safeParse(only({ size: '2M', pages: 512, memoryMiB: 1024 })).success).toBe(false);
    expect(schema.safeParse(only({ size: '2M' })).success).toBe(false);
    expect(schema.safeParse({ ...only({ size: '2M', pages: 1 }), hugepages: { size: '4M', pages: 1 } }).success).toBe(false);
    expect(schema.safeParse(only({ size: '2M', pages: 0 })).success).toBe(false);
  });
});

describe('vitrine setup plan --hugepages SIZE:COUNT', () => {
  it('takes a count, or the memory with its unit, and explains anything else', () => {
    expect(parseHugepages('2M:4096')).toEqual({ size: '2M', pages: 4096 });
    expect(parseHugepages('1g:16')).toEqual({ size: '1G', pages: 16 });
    expect(parseHugepages('1GiB:16GiB')).toEqual({ size: '1G', memoryMiB: 16384 });
    expect(parseHugepages('2M:8192MiB')).toEqual({ size: '2M', memoryMiB: 8192 });
    for (const bad of ['4M:16', '2M', '2M:0', '2M:-1', '1G:16G', '2M:1.5']) expect(() => parseHugepages(bad), bad).toThrow(/is not SIZE:COUNT or SIZE:MEMORY/);
  });
});

describe('2 MiB pages: a sysctl.d file, and at once when the memory is free', () => {
  const host: Partial<HostSpec> = { memory: { totalGiB: 32, availableGiB: 28 } };

  it('writes vm.nr_hugepages, reserves them now with the way back recorded, and needs no reboot', async () => {
    const dir = rootOf(debian, host);
    const plan = await planFor(dir, only({ size: '2M', memoryMiB: 8192 }));
    expectGolden(join(goldenDir, 'hugepages-2m.plan.txt'), formatPlan(plan));
    expect(writeOf(plan, HUGEPAGES_SYSCTL)?.after).toContain('\nvm.nr_hugepages = 4096\n');
    const run = plan.steps.find((s) => s.kind === 'run');
    expect(run).toMatchObject({ argv: ['sysctl', '-w', 'vm.nr_hugepages=4096'], inverse: ['sysctl', '-w', 'vm.nr_hugepages=0'] });
    expect(plan.steps.every((s) => s.kind === 'write' || commandRefusal(s.argv) === null)).toBe(true);
    expect(plan.rebootRequired).toBe(false);
    expect(plan.reason).toBe('Reserve 4096 hugepages of 2 MiB (8 GiB).');
    // In the UI's language: the reason, each step's and the warnings carry their catalogue message.
    expect(formatMessage(fr, 'fr', plan.reasonMsg!)).toBe('Réserver 4\u202f096 hugepages de 2 Mio (8 Gio).');
    expect(formatMessage(fr, 'fr', plan.steps[0]!.reasonMsg!)).toContain('à chaque démarrage, tôt, avant que la mémoire se fragmente');
    expect(formatMessage(fr, 'fr', plan.steps[1]!.reasonMsg!)).toBe('Les réserver tout de suite, sans redémarrer (la réserve en avait 0).');
    // Nothing about GPUs or the boot: a hugepage plan touches only its file.
    expect(plan.steps.flatMap((s) => (s.kind === 'write' ? [s.path] : []))).toEqual([HUGEPAGES_SYSCTL]);
  });

  it('is idempotent, and changes the count in place', async () => {
    const dir = rootOf(debian, host);
    const first = await planFor(dir, only({ size: '2M', pages: 4096 }));
    simulate(dir, first, { sizeKiB: 2048, total: 4096 });
    expect((await planFor(dir, only({ size: '2M', pages: 4096 }))).steps).toEqual([]);
    const more = await planFor(dir, only({ size: '2M', pages: 5120 }));
    expect(writeOf(more, HUGEPAGES_SYSCTL)).toMatchObject({ before: expect.stringContaining('vm.nr_hugepages = 4096'), after: expect.stringContaining('vm.nr_hugepages = 5120') });
    expect(runs(more)).toEqual(['sysctl -w vm.nr_hugepages=5120']);
    // A pool short of its file (memory was fragmented) is reserved again on its own.
    writeFileSync(join(dir, 'sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages'), '3000\n');
    const again = await planFor(dir, only({ size: '2M', pages: 4096 }));
    expect(again.steps).toEqual([expect.objectContaining({ kind: 'run', argv: ['sysctl', '-w', 'vm.nr_hugepages=4096'], inverse: ['sysctl', '-w', 'vm.nr_hugepages=3000'] })]);
  });

  it('reserves at the next boot when the memory is not free now, and says so', async () => {
    const dir = rootOf(debian, { memory: { totalGiB: 32, availableGiB: 6 } });
    const plan = await planFor(dir, only({ size: '2M', memoryMiB: 8192 }));
    expect(runs(plan)).toEqual([]);
    expect(plan.rebootRequired).toBe(true);
    expect(plan.warnings.join(' ')).toContain('not free now: they are reserved at the next boot');
    expect(plan.warningMsgs?.map((m) => m && formatMessage(fr, 'fr', m))).toEqual(plan.warnings.map((w) => (w.includes('not free now') ? expect.stringContaining('n’est pas libre maintenant') : null)));
  });

  it('warns about a vm.nr_hugepages in /etc/sysctl.conf, which is read later and wins', async () => {
    const dir = rootOf(debian, host, { '/etc/sysctl.conf': '# tuning\nvm.nr_hugepages = 128\n' });
    const plan = await planFor(dir, only({ size: '2M', pages: 1024 }));
    expect(plan.warnings.join(' ')).toContain('/etc/sysctl.conf sets vm.nr_hugepages too');
  });

  it('undo removes the file and puts the pool back to what it was, without a reboot', async () => {
    const dir = rootOf(debian, { memory: { totalGiB: 32, availableGiB: 28, pools: { 2048: [256, 256], 1048576: [0, 0] } } });
    const plan = await planFor(dir, only({ size: '2M', pages: 2048 }));
    const commands = plan.steps.flatMap((s) => (s.kind === 'run' ? [s.argv] : []));
    const inverses = plan.steps.flatMap((s) => (s.kind === 'run' && s.inverse ? [s.inverse] : []));
    const manifest = { id: `2026-11-30T06-00-00-000Z-${plan.id.slice(0, 12)}`, planId: plan.id, reason: plan.reason, createdAt: '2026-11-30T06:00:00.000Z', state: 'applied' as const, files: [], created: [HUGEPAGES_SYSCTL], createdDirs: [], planned: { [HUGEPAGES_SYSCTL]: 'a'.repeat(64) }, commands, inverses };
    expect(manifestSchema.safeParse(manifest).success).toBe(true);
    expect(manifestSchema.safeParse({ ...manifest, inverses: [['sysctl', '-w', 'kernel.modprobe=/tmp/x']] }).success).toBe(false);
    const undo = planUndo(manifest);
    expect(undo.steps.map((s) => (s.kind === 'run' ? s.argv.join(' ') : `${s.toSha256 === null ? 'remove' : 'restore'} ${s.path}`))).toEqual([`remove ${HUGEPAGES_SYSCTL}`, 'sysctl -w vm.nr_hugepages=256']);
    expect(undo.rebootRequired).toBe(false);
    expect(undo.warnings).toEqual([]);
  });

  it('refuses when 1 GiB is the default size (vm.nr_hugepages would count 1 GiB pages)', async () => {
    const dir = rootOf(debian, { ...host, cmdline: 'BOOT_IMAGE=/vmlinuz root=UUID=1 ro quiet default_hugepagesz=1G hugepagesz=1G hugepages=4' });
    const error = await refusal(planFor(dir, only({ size: '2M', pages: 512 })));
    expect(error.kind).toBe('hugepages-default-size');
    expect(error.message).toContain('default_hugepagesz=1G');
    expect(error.hint).toContain('Undo the 1 GiB reservation first');
  });
});

describe('1 GiB pages: kernel parameters through the bootloader', () => {
  const gig: Partial<HostSpec> = { cpu: { ...debian.host.cpu, flags: FLAGS_1G }, memory: { totalGiB: 32, availableGiB: 28 } };

  it('GRUB: the parameters in GRUB_CMDLINE_LINUX_DEFAULT, update-grub, the way back; a reboot', async () => {
    const dir = rootOf(debian, gig);
    const plan = await planFor(dir, only({ size: '1G', memoryMiB: 16384 }));
    expectGolden(join(goldenDir, 'hugepages-1g-grub.plan.txt'), formatPlan(plan));
    expect(writeOf(plan, '/etc/default/grub')?.after).toContain('GRUB_CMDLINE_LINUX_DEFAULT="quiet default_hugepagesz=1G hugepagesz=1G hugepages=16"');
    expect(runs(plan)).toEqual(['update-grub']);
    expect(writeOf(plan, '/var/lib/vitrine/RECOVERY.txt')?.after).toContain('default_hugepagesz=1G hugepagesz=1G hugepages=16');
    expect(writeOf(plan, HUGEPAGES_SYSCTL)).toBeUndefined();
    expect(plan.rebootRequired).toBe(true);
    // After the reboot: nothing to do; another count replaces Vitrine's own, never adds a second one.
    simulate(dir, plan, { sizeKiB: 1048576, total: 16 });
    expect((await planFor(dir, only({ size: '1G', pages: 16 }))).steps).toEqual([]);
    const fewer = await planFor(dir, only({ size: '1G', pages: 12 }));
    expect(writeOf(fewer, '/etc/default/grub')?.after).toContain('GRUB_CMDLINE_LINUX_DEFAULT="quiet default_hugepagesz=1G hugepagesz=1G hugepages=12"');
  });

  it('with the GPU: one write of the boot configuration carries both', async () => {
    const plan = await planFor(rootOf(debian, gig), { ...debian.request, hugepages: { size: '1G', pages: 8 } });
    expect(plan.steps.filter((s) => s.kind === 'write' && s.path === '/etc/default/grub')).toHaveLength(1);
    expect(writeOf(plan, '/etc/default/grub')?.after).toContain('iommu=pt vfio-pci.ids=10de:1c03,10de:10f1 default_hugepagesz=1G hugepagesz=1G hugepages=8"');
    expect(plan.reason).toContain('and reserve 8 hugepages of 1 GiB (8 GiB).');
  });

  it('grubby, kernelstub, rpm-ostree, systemd-boot and proxmox-boot-tool get them their own way', async () => {
    const expectations: [string, (plan: HostPlan) => void][] = [
      ['fedora-grubby-dracut', (p) => expect(runs(p)).toEqual(['grubby --update-kernel=ALL --args=default_hugepagesz=1G hugepagesz=1G hugepages=4'])],
      ['popos-kernelstub-initramfs-tools', (p) => expect(runs(p)).toEqual(['kernelstub --add-options default_hugepagesz=1G hugepagesz=1G hugepages=4'])],
      ['bazzite-rpm-ostree-dracut', (p) => expect(runs(p)).toEqual(['rpm-ostree kargs --append-if-missing=default_hugepagesz=1G --append-if-missing=hugepagesz=1G --append-if-missing=hugepages=4'])],
      ['arch-systemd-boot-mkinitcpio', (p) => {
        expect(writeOf(p, '/etc/kernel/cmdline')?.after).toBe('root=UUID=5c1d rw quiet loglevel=3 default_hugepagesz=1G hugepagesz=1G hugepages=4\n');
        expect(runs(p)).toEqual(['kernel-install add-all']);
      }],
      ['proxmox-boot-tool-etc-modules', (p) => {
        expect(writeOf(p, '/etc/kernel/cmdline')?.after).toBe('root=ZFS=rpool/ROOT/pve-1 boot=zfs default_hugepagesz=1G hugepagesz=1G hugepages=4\n');
        expect(runs(p)).toEqual(['proxmox-boot-tool refresh']);
      }],
    ];
    for (const [name, check] of expectations) {
      const family = byName(name);
      const plan = await planFor(rootOf(family, { cpu: { ...family.host.cpu, flags: FLAGS_1G }, memory: { totalGiB: 32, availableGiB: 28 } }), only({ size: '1G', pages: 4 }, family.request.user));
      check(plan);
      expect(plan.rebootRequired).toBe(true);
      expect(plan.steps.every((s) => s.kind === 'write' || commandRefusal(s.argv) === null)).toBe(true);
    }
  });

  it('removes Vitrine’s 2 MiB file (vm.nr_hugepages would count 1 GiB pages)', async () => {
    const dir = rootOf(debian, gig, { [HUGEPAGES_SYSCTL]: 'vm.nr_hugepages = 512\n' });
    const plan = await planFor(dir, only({ size: '1G', pages: 4 }));
    expect(writeOf(plan, HUGEPAGES_SYSCTL)).toMatchObject({ before: 'vm.nr_hugepages = 512\n', after: null });
  });

  it('refuses a CPU without pdpe1gb, and a kernel without the 1 GiB pool, in English and French', async () => {
    const noFlag = await refusal(planFor(rootOf(debian, { memory: { totalGiB: 32, availableGiB: 28 } }), only({ size: '1G', pages: 4 })));
    expect(noFlag.kind).toBe('hugepages-size');
    expect(noFlag.message).toBe('This processor cannot map 1 GiB pages (pdpe1gb is not among its flags in /proc/cpuinfo).');
    expect(formatMessage(fr, 'fr', noFlag.msg!.message)).toContain('pdpe1gb n’est pas parmi ses drapeaux');
    expect(noFlag.hint).toContain('Reserve 2 MiB pages instead');
    const noPool = await refusal(planFor(rootOf(debian, { ...gig, memory: { totalGiB: 32, availableGiB: 28, pools: { 2048: [0, 0] } } }), only({ size: '1G', pages: 4 })));
    expect(noPool.message).toBe('This kernel offers no hugepages of 1 GiB (/sys/kernel/mm/hugepages/hugepages-1048576kB is missing).');
    expect(formatMessage(fr, 'fr', noPool.msg!.message)).toBe('Ce noyau ne propose pas de hugepages de 1 Gio (/sys/kernel/mm/hugepages/hugepages-1048576kB est absent).');
  });

  it('refuses a reservation of the user’s own on the kernel line', async () => {
    const dir = rootOf(debian, { ...gig, cmdline: 'BOOT_IMAGE=/vmlinuz root=UUID=1 ro quiet hugepagesz=2M hugepages=512' });
    const error = await refusal(planFor(dir, only({ size: '1G', pages: 4 })));
    expect(error.kind).toBe('hugepages-kernel-line');
    expect(error.message).toContain('(hugepagesz=2M hugepages=512)');
  });
});

describe('the host keeps its memory', () => {
  it('refuses what would leave the host less than its margin, with the figures', async () => {
    const dir = rootOf(debian, { cpu: { ...debian.host.cpu, flags: FLAGS_1G }, memory: { totalGiB: 16, availableGiB: 14 } });
    const error = await refusal(planFor(dir, only({ size: '1G', memoryMiB: 15360 })));
    expect(error.kind).toBe('hugepages-memory');
    expect(error.message).toBe('Reserving 15 pages of 1 GiB (15,360 MiB) would leave the host 1,024 MiB of its 16,384 MiB; Vitrine keeps at least 2,048 MiB for the host (2 GiB, or a tenth of the memory when that is more).');
    expect(error.hint).toBe('Give the VM less memory, or reserve at most 14 pages of 1 GiB. Nothing was planned.');
    expect(formatMessage(fr, 'fr', error.msg!.message)).toContain('Vitrine garde au moins');
    // 14 pages leave exactly the margin: accepted.
    await expect(planFor(dir, only({ size: '1G', pages: 14 }))).resolves.toMatchObject({ rebootRequired: true });
  });

  it('counts the other pools’ pages, and a tenth of a large host', async () => {
    // seed 000: 32 GiB with 1024 pages of 2 MiB (2 GiB) reserved; the margin is 3.2 GiB.
    const z490 = byName('arch-systemd-boot-mkinitcpio');
    const dir = rootOf(z490, { cpu: { ...z490.host.cpu, flags: FLAGS_1G } });
    const error = await refusal(planFor(dir, only({ size: '1G', pages: 27 }, 'carol')));
    expect(error.message).toContain('beside the 2,048 MiB other hugepages already hold');
    expect(error.message).toContain('at least 3,277 MiB');
    await expect(planFor(dir, only({ size: '1G', pages: 26 }, 'carol'))).resolves.toMatchObject({ rebootRequired: true });
  });

  it('refuses when the host does not say how much memory it has', async () => {
    const dir = rootOf(debian);
    writeFileSync(join(dir, 'proc', 'meminfo'), readFileSync(join(dir, 'proc', 'meminfo'), 'utf8').replace(/^MemTotal:.*\n/m, ''));
    expect((await refusal(planFor(dir, only({ size: '2M', pages: 4 })))).kind).toBe('hugepages-unknown');
  });
});
