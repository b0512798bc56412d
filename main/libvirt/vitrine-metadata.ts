import type { GpuHandover, LookingGlassVmSettings } from '../../shared/api';
import { VitrineError } from '../common/errors';
import { msg } from '../../shared/i18n/message';
import { VITRINE_NS } from './builder';
import { cloneDocument, rootElement, tagOf, type XmlDocument, type XmlNode } from './xml/document';
import { attr, child, elements, fromXml, indentOf, insertChild, setAttr, textOf } from './xml/nodes';

/**
 * Vitrine's own settings of a VM live in the domain's <metadata>, in the
 * namespace urn:vitrine:vm:1, so they travel with the domain and every change
 * is a diff like any other edit:
 *
 *   <vitrine:vm xmlns:vitrine='urn:vitrine:vm:1'>
 *     <vitrine:os>win11</vitrine:os>
 *     <vitrine:resolution width='2560' height='1440'/>
 *     <vitrine:lookingglass fullscreen='yes' escape-key='KEY_SCROLLLOCK' hdr='no'/>
 *     <vitrine:handover mode='vm-start'/>
 *   </vitrine:vm>
 *
 * `handover` is how the VM gets its GPU: `boot` (bound to vfio-pci at boot,
 * the default) or `vm-start` (the libvirt hook host preparation installs
 * frees the card when this VM starts and gives it back when it stops; the
 * hook reads this element, and only in the form Vitrine writes it).
 */

export const DEFAULT_ESCAPE_KEY = 'KEY_SCROLLLOCK';
/** A Linux input key name as Looking Glass's input:escapeKey takes it. */
export const ESCAPE_KEY = /^KEY_[A-Z0-9_]{1,24}$/;

export interface VitrineMetadata {
  os: 'win10' | 'win11' | null;
  resolution: { width: number; height: number } | null;
  lookingGlass: Omit<LookingGlassVmSettings, 'resolution'>;
  handover: GpuHandover;
}

function ours(root: XmlNode): { el: XmlNode; prefix: string } | null {
  const metadata = child(root, 'metadata');
  if (!metadata) return null;
  for (const e of elements(metadata)) {
    const attrs = (e[':@'] as Record<string, string> | undefined) ?? {};
    const ns = Object.entries(attrs).find(([k, v]) => k.startsWith('@_xmlns') && v === VITRINE_NS);
    if (ns) {
      const tag = tagOf(e)!;
      return { el: e, prefix: tag.includes(':') ? tag.split(':')[0]! : '' };
    }
  }
  return null;
}

const qualified = (prefix: string, name: string): string => (prefix ? `${prefix}:${name}` : name);
const yes = (value: string | null, fallback: boolean): boolean => (value === null ? fallback : value === 'yes');

/** Read Vitrine's settings of a domain, with defaults for what is not set. */
export function readVitrineMetadata(doc: XmlDocument): VitrineMetadata {
  const root = rootElement(doc);
  const found = root ? ours(root) : null;
  const get = (name: string): XmlNode | null => (found ? child(found.el, qualified(found.prefix, name)) : null);
  const osText = textOf(get('os') ?? {});
  const res = get('resolution');
  const width = Number(attr(res ?? {}, 'width'));
  const height = Number(attr(res ?? {}, 'height'));
  const lg = get('lookingglass') ?? {};
  const key = attr(lg, 'escape-key');
  const handover = attr(get('handover') ?? {}, 'mode');
  return {
    handover: handover === 'vm-start' ? 'vm-start' : 'boot',
    os: osText === 'win10' || osText === 'win11' ? osText : null,
    resolution: res && width > 0 && height > 0 ? { width, height } : null,
    lookingGlass: {
      fullScreen: yes(attr(lg, 'fullscreen'), true),
      escapeKey: key && ESCAPE_KEY.test(key) ? key : DEFAULT_ESCAPE_KEY,
      hdr: yes(attr(lg, 'hdr'), false),
    },
  };
}

/** Set how the VM gets its GPU (`<vitrine:handover mode='…'/>`), creating what is missing. */
export function setHandover(doc: XmlDocument, mode: GpuHandover): XmlDocument {
  return setLookingGlassSettings(doc, {}, mode);
}

/** Set Vitrine's Looking Glass settings in the domain's metadata (creating what is missing). */
export function setLookingGlassSettings(doc: XmlDocument, patch: Partial<LookingGlassVmSettings>, handover?: GpuHandover): XmlDocument {
  if (patch.escapeKey !== undefined && !ESCAPE_KEY.test(patch.escapeKey)) {
    throw VitrineError.of('invalid-argument', msg('error.vm.badEscapeKey', { key: patch.escapeKey }), msg('error.vm.badEscapeKeyHint'));
  }
  const copy = cloneDocument(doc);
  const root = rootElement(copy);
  if (!root || tagOf(root) !== 'domain') throw VitrineError.of('xml-not-domain', msg('error.xml.notADomain'), msg('error.xml.notADomainHint'));
  let metadata = child(root, 'metadata');
  if (!metadata) {
    // Right after <name>/<uuid>/<genid>/<title>/<description>, where libvirt writes it.
    const before = elements(root).filter((e) => ['name', 'uuid', 'genid', 'title', 'description'].includes(tagOf(e)!));
    metadata = insertChild(root, fromXml('<metadata/>'), '', before.at(-1));
  }
  const metaIndent = indentOf(root, metadata);
  let found = ours(root);
  if (!found) {
    insertChild(metadata, fromXml(`<vitrine:vm xmlns:vitrine='${VITRINE_NS}'/>`), metaIndent, null);
    found = ours(root)!;
  }
  const { el, prefix } = found;
  const indent = indentOf(metadata, el);
  const ensure = (name: string): XmlNode => child(el, qualified(prefix, name)) ?? insertChild(el, fromXml(`<${qualified(prefix, name)}/>`), indent, null);
  if (patch.resolution) {
    const res = ensure('resolution');
    setAttr(res, 'width', String(patch.resolution.width));
    setAttr(res, 'height', String(patch.resolution.height));
  }
  if (patch.fullScreen !== undefined || patch.escapeKey !== undefined || patch.hdr !== undefined) {
    const lg = ensure('lookingglass');
    if (patch.fullScreen !== undefined) setAttr(lg, 'fullscreen', patch.fullScreen ? 'yes' : 'no');
    if (patch.escapeKey !== undefined) setAttr(lg, 'escape-key', patch.escapeKey);
    if (patch.hdr !== undefined) setAttr(lg, 'hdr', patch.hdr ? 'yes' : 'no');
  }
  if (handover !== undefined) setAttr(ensure('handover'), 'mode', handover);
  return copy;
}
