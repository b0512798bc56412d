import { msg, type Msg } from '../../shared/i18n/message';
import { rootElement, type XmlDocument } from '../libvirt/xml/document';
import { attr, child, elements } from '../libvirt/xml/nodes';

/** Where the client reaches the VM's SPICE server (keyboard, mouse, clipboard). */
export type SpiceEndpoint =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'socket'; path: string }
  /** autoport: libvirt picks the port when the VM starts. */
  | { kind: 'pending'; host: string }
  /** No SPICE display (or `listen type='none'`): the client runs with spice:enable=no. */
  | { kind: 'none'; reason: string; reasonMsg?: Msg };

const ANY = new Set(['0.0.0.0', '::', '']);

/** The SPICE endpoint from a domain's <graphics type='spice'> (the live XML has the chosen port). */
export function spiceEndpoint(doc: XmlDocument): SpiceEndpoint {
  const devices = child(rootElement(doc) ?? {}, 'devices') ?? {};
  const graphics = elements(devices, 'graphics').find((g) => attr(g, 'type') === 'spice');
  if (!graphics) return { kind: 'none', reason: 'The VM has no SPICE display, so Looking Glass runs without SPICE (no keyboard and mouse through it).', reasonMsg: msg('lgError.noSpice') };
  const listen = elements(graphics, 'listen')[0] ?? null;
  const listenType = listen ? attr(listen, 'type') : null;
  if (listenType === 'none') return { kind: 'none', reason: "The VM's SPICE display listens nowhere (listen type='none').", reasonMsg: msg('lgError.spiceNowhere') };
  if (listenType === 'socket') {
    const path = attr(listen!, 'socket');
    return path ? { kind: 'socket', path } : { kind: 'pending', host: 'socket' };
  }
  const address = (listen ? attr(listen, 'address') : null) ?? attr(graphics, 'listen') ?? '127.0.0.1';
  const host = ANY.has(address) ? '127.0.0.1' : address;
  const port = Number(attr(graphics, 'port') ?? '-1');
  if (Number.isInteger(port) && port > 0) return { kind: 'tcp', host, port };
  return { kind: 'pending', host };
}

