import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../shared/api';
import { toErrorInfo } from '../../main/common/errors';
import { getDomain } from '../../main/libvirt/domains';
import { BATCH_DOMAINS, readDomains } from '../../main/libvirt/domain-batch';
import { Lifecycle } from '../../main/libvirt/lifecycle';
import { Virsh } from '../../main/libvirt/virsh';
import { VmService } from '../../main/libvirt/vm-service';
import { LookingGlassService } from '../../main/lookingglass/service';
import { SettingsStore } from '../../main/state/settings';
import { TaskTracker } from '../../main/state/tasks';
import { FAKE_CLIENT } from '../support/shm';

// The dashboard's batched read (vm.cards) against libvirt's test driver: a
// node file of domains, read in-process by each virsh (no daemon). Every
// domain there runs, so the live XML is read too.

/** A virsh that counts its processes (each run is one). */
class CountingVirsh extends Virsh {
  runs = 0;
  override run(args: readonly string[], options?: { timeoutMs?: number }): Promise<string> {
    this.runs++;
    return super.run(args, options);
  }
}

const ODD = 'a b\'c"d\\e;f#g$h --x; echo x';
const GPU = 'gpu vm';
const uuid = (i: number): string => `6a1f0c3e-0000-4000-8000-${String(i).padStart(12, '0')}`;
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');
function domain(name: string, i: number, devices = ''): string {
  return `<domain type='test'><name>${esc(name)}</name><uuid>${uuid(i)}</uuid><description>dumpxml --domain x; echo /vitrine-batch-/</description><memory>1024</memory><os><type>hvm</type></os><devices>${devices}</devices></domain>`;
}
const GPU_DEVICES = "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source></hostdev><shmem name='looking-glass'><model type='ivshmem-plain'/><size unit='M'>32</size></shmem>";
const MANY = Array.from({ length: BATCH_DOMAINS + 3 }, (_, i) => `many-${String(i).padStart(2, '0')}`);

let dir: string;
let uri: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vitrine-cards-'));
  const domains = [domain('plain', 1), domain(ODD, 2), domain(GPU, 3, GPU_DEVICES), domain('-x', 4), ...MANY.map((name, i) => domain(name, 100 + i))];
  writeFileSync(join(dir, 'node.xml'), `<node>\n${domains.join('\n')}\n</node>\n`);
  uri = `test://${join(dir, 'node.xml')}`;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function services(virsh: Virsh) {
  const lifecycle = new Lifecycle({ virsh, dataDir: join(dir, 'data') });
  const vm = new VmService(virsh, lifecycle);
  const lg = new LookingGlassService({
    virsh,
    vm,
    settings: new SettingsStore(join(dir, 'config')),
    tasks: new TaskTracker(),
    monitors: async () => [{ name: 'DP-1', width: 2560, height: 1440, x: 0, y: 0, primary: true }],
    domains: () => () => undefined,
    dataDir: join(dir, 'data'),
    cacheDir: join(dir, 'cache'),
    user: 'tester',
    clientPath: FAKE_CLIENT,
    shmDir: join(dir, 'shm'),
    kvmfrDevice: join(dir, 'kvmfr0'),
  });
  return { vm, lg };
}

async function result<T>(work: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: toErrorInfo(error) };
  }
}

describe('readDomains', () => {
  it('reads dominfo and both XMLs of several domains in one virsh process, byte for byte as the commands alone', async () => {
    const virsh = new CountingVirsh({ uri });
    const names = ['plain', ODD, GPU, 'gone', '-x'];
    const read = await readDomains(virsh, names);
    expect(virsh.runs).toBe(1);
    for (const name of ['plain', ODD, GPU, '-x']) {
      const one = read.get(name);
      expect(one, name).not.toBeNull();
      expect(one!.summary).toEqual(await getDomain(virsh, name));
      expect(one!.xml).toBe(await virsh.run(['dumpxml', '--inactive', '--security-info', '--domain', name]));
      expect(one!.liveXml).toBe(await virsh.run(['dumpxml', '--domain', name]));
    }
    // Gone meanwhile: null, for the caller to ask alone; the others are read all the same.
    expect(read.get('gone')).toBeNull();
  });

  it(`takes one process per ${BATCH_DOMAINS} domains`, async () => {
    const virsh = new CountingVirsh({ uri });
    const read = await readDomains(virsh, MANY);
    expect(virsh.runs).toBe(2);
    expect([...read.keys()]).toEqual(MANY);
    expect([...read.values()].every((r) => r !== null && r.xml.includes(`<name>${r.summary.name}</name>`))).toBe(true);
  });

  it('rejects when the connection fails', async () => {
    await expect(readDomains(new Virsh({ uri: `test://${join(dir, 'no-such-node.xml')}` }), ['plain'])).rejects.toMatchObject({ kind: 'connect' });
  });
});

describe('LookingGlassService.cards', () => {
  it("gives each card what vm.details and lg.launchInfo give alone, and each failing card its own error", async () => {
    const virsh = new CountingVirsh({ uri });
    const { vm, lg } = services(virsh);
    const names = ['plain', GPU, 'gone', ODD, 'tab\tname'];
    const cards = await lg.cards(names);
    // One batch; then 'gone' is asked alone (dominfo and dumpxml, as vm.details does).
    expect(virsh.runs).toBe(3);
    expect(cards.map((c) => c.name)).toEqual(names);
    for (const card of cards.slice(0, 2).concat(cards[3]!)) {
      const { xml, ...details } = await vm.details(card.name);
      expect(xml).toContain('<domain'); // kept on this side: the cards carry no XML
      expect(card.details, card.name).toEqual({ ok: true, value: details });
      expect(card.launch, card.name).toEqual(details.pciDevices.length > 0 ? await result(() => lg.launchInfo(card.name)) : null);
    }
    expect(cards[1]!.launch).toMatchObject({ ok: true, value: { memory: { mode: 'shmem', configuredMiB: 32 } } });
    // vm.details' own error (dominfo's or dumpxml's, whichever fails first there too).
    expect(cards[2]).toMatchObject({ name: 'gone', details: { ok: false, error: { kind: 'domain-not-found' } }, launch: null });
    expect(['error.vm.noSuchVmOn', 'error.libvirt.noSuchDomain']).toContain((cards[2]!.details as { error: { msg: { message: { key: string } } } }).error.msg.message.key);
    // A name vm.details' schema refuses: that card's error, never asked of virsh.
    expect(cards[4]).toMatchObject({ details: { ok: false, error: { kind: 'invalid-argument', msg: { message: { key: 'error.invalid' } } } }, launch: null });
  });

  it('rejects when libvirt cannot be reached (the page gives each card that error)', async () => {
    const { lg } = services(new Virsh({ uri: `test://${join(dir, 'no-such-node.xml')}` }));
    await expect(lg.cards(['plain'])).rejects.toMatchObject({ kind: 'connect' });
  });
});
