import i18next, { type TFunction } from 'i18next';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostCheck, VmSpec } from '../../shared/api';
import en from '../../shared/i18n/en.json';
import fr from '../../shared/i18n/fr.json';
import { newVmName, vmSpec } from '../../shared/schemas';
import { scanHost } from '../../main/host/scan';
import { choiceEdits, NO_DEVICES, resolveChoice } from '../../renderer/src/form/device-choice';
import { isTranslated, specErrors, type SpecField } from '../../renderer/src/form/vm-spec-errors';
import { tempHostTree } from '../support/host-tree';
import { FIXTURE_HOSTS } from '../support/hosts';

const GOOD: VmSpec = {
  name: 'win11',
  os: 'win11',
  vcpus: 4,
  threads: 2,
  memoryMiB: 8192,
  hugepages: false,
  disk: { path: '/home/u/win11.qcow2', sizeGiB: 80 },
  network: { type: 'user' },
  windowsIso: '/home/u/win.iso',
  virtioIso: '/home/u/virtio.iso',
  lookingGlassMiB: null,
  resolution: { width: 1920, height: 1080 },
  virtType: 'qemu',
};

/** Each bad value a user can type into the form, the field it belongs to. */
const BAD: [SpecField, Partial<VmSpec>][] = [
  ['name', { name: '' }],
  ['name', { name: 'x'.repeat(65) }],
  ['name', { name: 'game 🎮' }],
  ['name', { name: '-win' }],
  ['name', { name: '_win' }],
  ['name', { name: 'win ' }],
  ['name', { name: 'a\tb' }],
  ['vcpus', { vcpus: 0 }],
  ['vcpus', { vcpus: Number.NaN }],
  ['vcpus', { vcpus: 2.5 }],
  ['vcpus', { vcpus: 1000 }],
  ['memoryMiB', { memoryMiB: 64 }],
  ['memoryMiB', { memoryMiB: Number.NaN }],
  ['diskSizeGiB', { disk: { path: GOOD.disk.path, sizeGiB: 0 } }],
  ['diskSizeGiB', { disk: { path: GOOD.disk.path, sizeGiB: 100000 } }],
  ['diskPath', { disk: { path: 'disks/win.qcow2', sizeGiB: 80 } }],
  ['windowsIso', { windowsIso: '' }],
  ['windowsIso', { windowsIso: 'win.iso' }],
  ['virtioIso', { virtioIso: '/tmp/a\u0001.iso' }],
];

describe('the VM form checks each field with the schema vm.create uses, in the UI language', () => {
  let tEn: TFunction;
  let tFr: TFunction;
  beforeAll(async () => {
    const make = async (lng: string): Promise<TFunction> => {
      const i = i18next.createInstance();
      await i.init({ lng, resources: { en: { translation: en }, fr: { translation: fr } }, interpolation: { escapeValue: false } });
      return i.t;
    };
    tEn = await make('en');
    tFr = await make('fr');
  });

  it('accepts the good spec', () => {
    expect(vmSpec.safeParse(GOOD).success).toBe(true);
    expect(specErrors(tEn, GOOD)).toEqual({});
  });

  it.each(BAD)('%s: %j is refused on its field, in English and in French', (field, patch) => {
    const spec = { ...GOOD, ...patch };
    expect(vmSpec.safeParse(spec).success).toBe(false);
    const english = specErrors(tEn, spec)[field];
    const french = specErrors(tFr, spec)[field];
    expect(english).toBeTruthy();
    expect(french).toBeTruthy();
    expect(french).not.toBe(english);
    // Only the field that is wrong says so.
    expect(Object.keys(specErrors(tEn, spec))).toEqual([field]);
  });

  it('every message of the name and path schemas has its catalogue key', () => {
    for (const [, patch] of BAD) {
      const parsed = vmSpec.safeParse({ ...GOOD, ...patch });
      for (const issue of parsed.error!.issues) if (issue.code === 'custom') expect(isTranslated(issue.message), issue.message).toBe(true);
    }
    const clone = newVmName.safeParse('bad/name');
    expect(isTranslated(clone.error!.issues[0]!.message)).toBe(true);
  });
});

describe('picking devices on seed 000 (the first card shares group 1 with four NIC ports)', () => {
  let check: HostCheck;
  const trees: { remove(): void }[] = [];
  beforeAll(async () => {
    const tree = tempHostTree(FIXTURE_HOSTS.seed000Z490);
    trees.push(tree);
    check = { ...(await scanHost(tree)), checks: [] };
  });
  afterAll(() => trees.forEach((t) => t.remove()));

  it('attaches nothing until the shared group is accepted, then the card, its functions and the group', () => {
    const choice = { ...NO_DEVICES, gpu: '0000:01:00.0' };
    const r = resolveChoice(check, choice);
    expect(r.picked).toEqual(['0000:01:00.0', '0000:01:00.1', '0000:01:00.2', '0000:01:00.3']);
    expect(r.companions.map((d) => d.address)).toEqual(['0000:04:00.0', '0000:04:00.1', '0000:05:00.0', '0000:05:00.1']);
    expect(r.blocked).toBe(true);
    expect(choiceEdits(check, choice)).toBeNull();
    expect(choiceEdits(check, { ...choice, accepted: r.companions.map((d) => d.address) })?.attachPci?.addresses).toEqual([...r.picked, ...r.companions.map((d) => d.address)]);
  });

  it('a card alone in its group and a USB controller need no tick; a USB device behind that controller goes with it', () => {
    const choice = { ...NO_DEVICES, gpu: '0000:07:00.0', controllers: ['0000:00:14.0'], usb: ['046d:c52b'] };
    expect(resolveChoice(check, choice).blocked).toBe(false);
    const edits = choiceEdits(check, choice)!;
    expect(edits.attachPci?.addresses).toEqual(['0000:07:00.0', '0000:07:00.1', '0000:07:00.2', '0000:07:00.3', '0000:00:14.0']);
    expect(edits.usb).toBeUndefined();
    expect(choiceEdits(check, { ...NO_DEVICES, usb: ['046d:c52b'] })).toEqual({ usb: ['046d:c52b'] });
  });
});
