import type { AmdResetVerdict } from '../../shared/api';
import { english } from '../common/text';
import { msg } from '../../shared/i18n/message';

/**
 * AMD GPU families by PCI device id (vendor 1002), for the reset bug: after
 * a VM stops, these cards may not come back without a host reboot.
 * vendor-reset (github.com/gnif/vendor-reset) covers Polaris 10/11/12, Vega
 * 10/20, Navi 10/12/14 and Navi 23; Navi 21/22/24/31/32/33 and RX 9000 are
 * not covered (reference/single-gpu.md).
 */
const FAMILIES: { family: string; vendorReset: boolean; ids: number[] | [number, number] }[] = [
  { family: 'Polaris 10', vendorReset: true, ids: [0x67c0, 0x67c1, 0x67c2, 0x67c4, 0x67c7, 0x67ca, 0x67cc, 0x67cf, 0x67d0, 0x67df] },
  { family: 'Polaris 11', vendorReset: true, ids: [0x67e0, 0x67e1, 0x67e3, 0x67e8, 0x67e9, 0x67eb, 0x67ef, 0x67ff] },
  { family: 'Polaris 12', vendorReset: true, ids: [0x6980, 0x6981, 0x6985, 0x6986, 0x6987, 0x6995, 0x6997, 0x699f] },
  { family: 'Vega 10', vendorReset: true, ids: [0x6860, 0x6861, 0x6862, 0x6863, 0x6864, 0x6867, 0x6868, 0x6869, 0x686a, 0x686b, 0x686c, 0x686d, 0x686e, 0x686f, 0x687f] },
  { family: 'Vega 20', vendorReset: true, ids: [0x66a0, 0x66a1, 0x66a2, 0x66a3, 0x66a4, 0x66a7, 0x66af] },
  { family: 'Navi 10', vendorReset: true, ids: [0x7310, 0x7312, 0x7318, 0x7319, 0x731a, 0x731b, 0x731e, 0x731f] },
  { family: 'Navi 14', vendorReset: true, ids: [0x7340, 0x7341, 0x7347, 0x734f] },
  { family: 'Navi 12', vendorReset: true, ids: [0x7360, 0x7362] },
  { family: 'Navi 23', vendorReset: true, ids: [0x73e0, 0x73e1, 0x73e3, 0x73ef, 0x73ff] },
  { family: 'Navi 21', vendorReset: false, ids: [0x73a0, 0x73bf] },
  { family: 'Navi 22', vendorReset: false, ids: [0x73c0, 0x73df] },
  { family: 'Navi 24', vendorReset: false, ids: [0x7420, 0x743f] },
  { family: 'Navi 31', vendorReset: false, ids: [0x7440, 0x745f] },
  { family: 'Navi 32', vendorReset: false, ids: [0x7470, 0x747f] },
  { family: 'Navi 33', vendorReset: false, ids: [0x7480, 0x749f] },
  { family: 'RX 9000 (Navi 48)', vendorReset: false, ids: [0x7550, 0x755f] },
  { family: 'RX 9000 (Navi 44)', vendorReset: false, ids: [0x7590, 0x759f] },
];

function matches(ids: number[] | [number, number], id: number, ranged: boolean): boolean {
  return ranged ? id >= ids[0]! && id <= ids[1]! : ids.includes(id);
}

/** The reset-bug verdict of a PCI device (`1002:73bf`), or null when it is not an affected AMD GPU family. */
export function amdResetVerdict(vendorId: string, deviceId: string): AmdResetVerdict | null {
  if (vendorId.toLowerCase() !== '1002') return null;
  const id = parseInt(deviceId, 16);
  if (!Number.isFinite(id)) return null;
  const found = FAMILIES.find((f) => matches(f.ids, id, !f.vendorReset));
  if (!found) return null;
  const sentenceMsg = msg(found.vendorReset ? 'amdReset.covered' : 'amdReset.notCovered', { family: found.family });
  return { family: found.family, vendorReset: found.vendorReset, sentence: english(sentenceMsg), sentenceMsg };
}
