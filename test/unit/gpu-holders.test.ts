import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { amdResetVerdict } from '../../main/host/amd-reset';
import { findGpuHolders, handoverSteps } from '../../main/host/gpu-holders';
import { hostRoots } from '../../main/host/roots';
import { tempHostTree } from '../support/host-tree';
import { FIXTURE_HOSTS } from '../support/hosts';
import { writeHandoverParts, writeProcess } from '../support/handover-tree';
import { parseDomainXml, serializeXml } from '../../main/libvirt/xml/document';
import { readVitrineMetadata, setHandover } from '../../main/libvirt/vitrine-metadata';

// Acceptance 3 of issue 17: the holder finder lists the processes of a
// fixture /proc that hold the card's nodes, and ignores other cards' nodes.

const trees: { remove(): void }[] = [];
afterAll(() => trees.forEach((t) => t.remove()));

/** Seed 001: the RTX 3080 (01:00.0, card0, NVIDIA minor 0) and the boot iGPU (10:00.0, card1), with processes holding each. */
function seed001WithProcesses() {
  const tree = tempHostTree(FIXTURE_HOSTS.seed001Ryzen);
  trees.push(tree);
  writeHandoverParts(tree.sys, { '0000:01:00.0': 0, '0000:10:00.0': 1 });
  // The 3080's HDMI audio is sound card 2; the iGPU's is card 1.
  mkdirSync(join(tree.sys, 'bus/pci/devices/0000:01:00.1/sound/card2'), { recursive: true });
  mkdirSync(join(tree.sys, 'bus/pci/devices/0000:10:00.1/sound/card1'), { recursive: true });
  mkdirSync(join(tree.proc, 'driver/nvidia/gpus/0000:01:00.0'), { recursive: true });
  writeFileSync(join(tree.proc, 'driver/nvidia/gpus/0000:01:00.0/information'), 'Model: \t\t NVIDIA GeForce RTX 3080\nIRQ:   \t\t 120\nDevice Minor: \t 0\nBus Location: \t 0000:01:00.0\n');
  mkdirSync(join(tree.dir, 'etc/systemd/system'), { recursive: true });
  symlinkSync('/usr/lib/systemd/system/gdm.service', join(tree.dir, 'etc/systemd/system/display-manager.service'));
  writeProcess(tree.proc, { pid: 700, comm: 'Xorg', holds: ['/dev/dri/card1'] });
  writeProcess(tree.proc, { pid: 701, comm: 'gnome-shell', holds: ['/dev/dri/card1', '/dev/dri/renderD129'] });
  writeProcess(tree.proc, { pid: 702, comm: 'nvidia-persistenced', holds: ['/dev/nvidiactl', '/dev/nvidia0'] });
  writeProcess(tree.proc, { pid: 703, comm: 'steam', holds: ['/dev/dri/renderD128', '/dev/null'] });
  writeProcess(tree.proc, { pid: 704, comm: 'pipewire', holds: ['/dev/snd/controlC2', '/dev/snd/pcmC2D3p', '/dev/snd/controlC1'] });
  writeProcess(tree.proc, { pid: 705, comm: 'firefox', holds: ['/dev/dri/renderD129', '/dev/snd/pcmC1D0p'] });
  // A process whose name is not a number is no process; a dangling fd folder is no holder.
  mkdirSync(join(tree.proc, 'self/fd'), { recursive: true });
  return { tree, roots: hostRoots({ sys: tree.sys, proc: tree.proc, dev: tree.dev, etc: join(tree.dir, 'etc') }) };
}

describe('findGpuHolders', () => {
  it("lists what holds the second card's nodes, and ignores the boot iGPU's", async () => {
    const { roots } = seed001WithProcesses();
    const holders = await findGpuHolders(roots, ['0000:01:00.0', '0000:01:00.1'], false);
    expect(holders.processes).toEqual([
      { pid: 702, comm: 'nvidia-persistenced', role: 'nvidia-persistenced', nodes: ['/dev/nvidia0', '/dev/nvidiactl'] },
      { pid: 703, comm: 'steam', role: 'other', nodes: ['/dev/dri/renderD128'] },
      { pid: 704, comm: 'pipewire', role: 'audio', nodes: ['/dev/snd/controlC2', '/dev/snd/pcmC2D3p'] },
    ]);
    expect(holders.nodes).toEqual(['/dev/dri/card0', '/dev/dri/renderD128', '/dev/nvidia0', '/dev/nvidiactl', '/dev/nvidia-modeset', '/dev/snd/controlC2', '/dev/snd/pcmC2D*', '/dev/snd/hwC2D*']);
    // Not the boot display: no framebuffer, no console, the desktop stays.
    expect(holders.framebuffers).toEqual([]);
    expect(holders.vtconsoles).toEqual([]);
    const steps = handoverSteps(holders);
    expect(steps.stop.map((s) => s.key)).toEqual(['handover.step.persistenced', 'handover.step.unbind']);
    // What the hook does not stop keeps the card busy: the user must close it.
    expect(steps.blockers.map((p) => p.comm)).toEqual(['steam', 'pipewire']);
  });

  it("the boot iGPU: the display manager, the compositor, the consoles and the EFI framebuffer; not the 3080's users", async () => {
    const { roots } = seed001WithProcesses();
    const holders = await findGpuHolders(roots, ['0000:10:00.0', '0000:10:00.1'], true);
    expect(holders.processes.map((p) => [p.pid, p.comm, p.role])).toEqual([
      [700, 'Xorg', 'display-manager'],
      [701, 'gnome-shell', 'compositor'],
      [704, 'pipewire', 'audio'],
      [705, 'firefox', 'other'],
    ]);
    expect(holders.processes.find((p) => p.pid === 704)!.nodes).toEqual(['/dev/snd/controlC1']);
    expect(holders.displayManager).toBe('gdm.service');
    expect(holders.framebuffers).toEqual(['efi-framebuffer.0']);
    expect(holders.vtconsoles).toEqual(['vtcon1']);
    const steps = handoverSteps(holders);
    expect(steps.stop).toEqual([
      { key: 'handover.step.displayManager', values: { unit: 'gdm.service' } },
      { key: 'handover.step.consoles', values: { list: 'vtcon1' } },
      { key: 'handover.step.framebuffer', values: { list: 'efi-framebuffer.0' } },
      { key: 'handover.step.unbind', values: { list: '0000:10:00.0, 0000:10:00.1' } },
    ]);
    // firefox is in the desktop session: it ends with it in truth, but it is named, not assumed.
    expect(steps.blockers.map((p) => p.comm)).toEqual(['firefox']);
  });

  it('with two NVIDIA cards, the shared control nodes are nobody’s', async () => {
    const { tree, roots } = seed001WithProcesses();
    mkdirSync(join(tree.proc, 'driver/nvidia/gpus/0000:10:00.0'), { recursive: true });
    const holders = await findGpuHolders(roots, ['0000:01:00.0'], false);
    expect(holders.nodes).not.toContain('/dev/nvidiactl');
    expect(holders.processes.find((p) => p.pid === 702)!.nodes).toEqual(['/dev/nvidia0']);
  });

  it('a host without the folders (no /proc/driver/nvidia, no vtconsole) reads as empty, not as an error', async () => {
    const tree = tempHostTree(FIXTURE_HOSTS.singleGpu);
    trees.push(tree);
    const holders = await findGpuHolders(hostRoots({ sys: tree.sys, proc: tree.proc, dev: tree.dev, etc: join(tree.dir, 'etc') }), ['0000:0c:00.0'], true);
    expect(holders).toEqual({ functions: ['0000:0c:00.0'], bootDisplay: true, nodes: ['/dev/dri/card0'], processes: [], displayManager: null, framebuffers: [], vtconsoles: [] });
  });
});

describe('amdResetVerdict', () => {
  it.each([
    ['67df', 'Polaris 10', true],
    ['687f', 'Vega 10', true],
    ['66af', 'Vega 20', true],
    ['731f', 'Navi 10', true],
    ['7340', 'Navi 14', true],
    ['73ff', 'Navi 23', true],
    ['73bf', 'Navi 21', false],
    ['744c', 'Navi 31', false],
    ['7550', 'RX 9000 (Navi 48)', false],
  ])('1002:%s is %s (vendor-reset: %s)', (id, family, covered) => {
    const verdict = amdResetVerdict('1002', id)!;
    expect(verdict.family).toBe(family);
    expect(verdict.vendorReset).toBe(covered);
    expect(verdict.sentence).toContain(covered ? 'vendor-reset fixes it' : `vendor-reset does not cover ${family}`);
  });

  it('knows nothing of other cards', () => {
    expect(amdResetVerdict('10de', '2206')).toBeNull();
    expect(amdResetVerdict('1002', '164e')).toBeNull();
  });
});

describe("the VM's handover mode in Vitrine's metadata", () => {
  it('is boot when not set; set to vm-start and back, each read back, the rest of the domain untouched', () => {
    const xml = "<domain type='kvm'>\n  <name>win11</name>\n  <memory unit='MiB'>8192</memory>\n</domain>\n";
    const doc = parseDomainXml(xml);
    expect(readVitrineMetadata(doc).handover).toBe('boot');
    const marked = setHandover(doc, 'vm-start');
    expect(readVitrineMetadata(marked).handover).toBe('vm-start');
    expect(serializeXml(marked)).toContain("<vitrine:handover mode='vm-start'/>");
    expect(serializeXml(marked)).toContain("<memory unit='MiB'>8192</memory>");
    const back = setHandover(marked, 'boot');
    expect(readVitrineMetadata(back).handover).toBe('boot');
    expect(serializeXml(back)).not.toContain('vm-start');
  });
});
