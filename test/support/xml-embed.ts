import { tagOf, type XmlNode } from '../../main/libvirt/xml/document';
import { attrValue, childrenOf } from '../../main/libvirt/xml/nodes';

/** What an edit may add, change or remove; anything else differing is a loss. */
export interface AllowedChanges {
  /** Elements that may appear (with their whole subtree). */
  added: Set<string>;
  /** Elements whose attributes may change. */
  attributesChange: Set<string>;
  /** Elements whose text may change. */
  textChanges: Set<string>;
  /** Elements that may disappear, by tag and a test. */
  removed: (node: XmlNode) => boolean;
}

const isSpace = (n: XmlNode): boolean => typeof n['#text'] === 'string' && /^\s*$/.test(n['#text'] as string);

function sameNode(a: XmlNode, b: XmlNode, allow: AllowedChanges, path: string, problems: string[]): boolean {
  const ta = tagOf(a);
  const tb = tagOf(b);
  if (ta === null || tb === null) {
    return ta === tb && JSON.stringify({ ...a, ':raw': 0 }) === JSON.stringify({ ...b, ':raw': 0 });
  }
  if (ta !== tb) return false;
  const attrsA = JSON.stringify(a[':@'] ?? {});
  const attrsB = JSON.stringify(b[':@'] ?? {});
  if (attrsA !== attrsB && !allow.attributesChange.has(ta)) return false;
  return embeds(childrenOf(a), childrenOf(b), allow, `${path}/${ta}`, problems);
}

/**
 * True when `after` holds every node of `before`, in order and unchanged,
 * except for the allowed changes: the subsequence test of "differs from the
 * input only in what the edits add". Problems are described in `problems`.
 */
export function embeds(before: XmlNode[], after: XmlNode[], allow: AllowedChanges, path: string, problems: string[]): boolean {
  let i = 0;
  for (const b of after) {
    while (i < before.length && allow.removed(before[i]!)) i++;
    const a = before[i];
    if (a && sameNode(a, b, allow, path, problems)) {
      i++;
      continue;
    }
    if (a && typeof a['#text'] === 'string' && typeof b['#text'] === 'string' && allow.textChanges.has(path.split('/').at(-1)!)) {
      i++;
      continue;
    }
    const tb = tagOf(b);
    if (isSpace(b) || (tb !== null && allow.added.has(tb))) continue;
    problems.push(`${path}: unexpected ${tb ?? JSON.stringify(b['#text'] ?? b).slice(0, 60)} where the input has ${a ? (tagOf(a) ?? JSON.stringify(a['#text'] ?? a).slice(0, 60)) : 'nothing'}`);
    return false;
  }
  while (i < before.length && (allow.removed(before[i]!) || isSpace(before[i]!))) i++;
  if (i < before.length) {
    problems.push(`${path}: lost ${tagOf(before[i]!) ?? JSON.stringify(before[i]!['#text'] ?? before[i]).slice(0, 60)}`);
    return false;
  }
  return true;
}

/** The changes of attach-GPU + shmem + hide-hypervisor (method B). */
export const GPU_SHMEM_HIDE_B: AllowedChanges = {
  added: new Set(['hostdev', 'controller', 'shmem', 'kvm', 'hidden', 'ioapic', 'hyperv', 'relaxed', 'vapic', 'spinlocks', 'vpindex', 'synic', 'stimer', 'reset', 'vendor_id', 'frequencies', 'tlbflush', 'ipi', 'timer', 'clock', 'features', 'devices']),
  attributesChange: new Set(['vendor_id', 'hidden', 'ioapic', 'timer', 'clock', 'size']),
  textChanges: new Set(['size']),
  removed: (node) => tagOf(node) === 'feature' && attrValue(node, 'name') === 'hypervisor',
};
