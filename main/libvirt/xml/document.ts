import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { VitrineError } from '../../common/errors';
import { msg } from '../../../shared/i18n/message';
import { whatMsg } from './what';
import { scanXml, type ScannedAttr, type ScannedNode } from './scanner';

/**
 * A node of fast-xml-parser's ordered tree: `{ tag: children[], ':@': { '@_attr': value } }`,
 * `{ '#text': '…' }`, `{ '#comment': [{ '#text': '…' }] }` or `{ '#cdata': [...] }`.
 * Nodes read from a source also carry `':raw'`: how they were written there
 * (see attachSource); edits leave it alone and the serialiser decides from it.
 */
export type XmlNode = Record<string, unknown>;

/** A parsed document: the top-level nodes (declaration, comments, the root element). */
export interface XmlDocument {
  nodes: XmlNode[];
  /** The attribute quote the source mostly used (libvirt writes `'`), kept on output. */
  quote: "'" | '"';
  /** Whitespace between the top-level nodes (the parser drops it), in order; the last one ends the file. */
  gaps: string[];
  /** The line ending the source mostly used: new or edited text gets it (the parser reads every `\r\n` as `\n`). */
  newline: '\n' | '\r\n';
}

/**
 * The lossless settings (shared/DESIGN.md "Domain XML is the model"): order,
 * attributes, comments, CDATA and whitespace kept; no value parsed; entities
 * left exactly as written (processEntities off), so `&amp;` stays `&amp;`.
 * What the parser still loses (line endings, PI text, the spacing inside
 * tags) is taken from the source by the scanner and kept on each node as
 * `:raw` (see attachSource).
 */
const OPTIONS = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  commentPropName: '#comment',
  cdataPropName: '#cdata',
  processEntities: false,
  ignoreDeclaration: false,
  ignorePiTags: false,
} as const;

const parser = new XMLParser(OPTIONS);

/**
 * Parse XML text into a document. Refuses DTDs and entity declarations (XXE,
 * "billion laughs"), malformed XML (with line and column: two roots, `<` in
 * an attribute, forbidden characters, unmatched tags, more than 64 levels),
 * and, when `rootName` is given, a document whose root element is another.
 */
export function parseXml(text: string, what: string, rootName?: string): XmlDocument {
  if (typeof text !== 'string' || text.trim().length === 0) {
    throw VitrineError.of('xml-empty', msg('error.xml.empty', { what: whatMsg(what) }), msg('error.xml.emptyHint'));
  }
  // The scanner first: it refuses what the parser would let through, and records the source's exact bytes.
  const scanned = scanXml(text, what);
  let parsed: XmlNode[];
  try {
    // The library's own check as well; the scanner is stricter, so this should never be the one to refuse.
    const valid = XMLValidator.validate(scanned.forParser, { allowBooleanAttributes: false });
    if (valid !== true) {
      throw VitrineError.of(
        'xml-malformed',
        msg('error.xml.malformed', { what: whatMsg(what), problem: valid.err.msg, line: String(valid.err.line), column: String(valid.err.col) }),
        msg('error.xml.malformedHint'),
      );
    }
    parsed = parser.parse(scanned.forParser) as XmlNode[];
  } catch (error) {
    if (error instanceof VitrineError) throw error;
    throw VitrineError.of('xml-malformed', msg('error.xml.unreadable', { what: whatMsg(what), problem: error instanceof Error ? error.message : String(error) }), msg('error.xml.exportAgainHint'));
  }
  // Whitespace between top-level nodes is kept in `gaps` (the parser keeps some of it as text nodes, not all).
  const nodes = parsed.filter((n) => typeof n['#text'] !== 'string');
  const single = (text.match(/=\s*'/g) ?? []).length;
  const double = (text.match(/=\s*"/g) ?? []).length;
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length - crlf;
  const doc: XmlDocument = { nodes, quote: single > double ? "'" : '"', gaps: [], newline: crlf > lf ? '\r\n' : '\n' };
  doc.gaps = attachSource(text, scanned.nodes, nodes) ?? fallbackGaps(nodes.length, doc.newline);
  if (rootName !== undefined) {
    const root = rootElement(doc);
    const name = root ? tagOf(root) : null;
    if (name !== rootName) {
      throw VitrineError.of(
        'xml-not-domain',
        msg('error.xml.wrongRoot', { what: whatMsg(what), expected: rootName, root: name ?? 'none' }),
        msg('error.xml.wrongRootHint', { expected: rootName }),
      );
    }
  }
  return doc;
}

/** Parse a libvirt domain document. */
export function parseDomainXml(text: string, what = 'The domain XML'): XmlDocument {
  return parseXml(text, what, 'domain');
}

/** Escape a value for an attribute or text node. */
export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** What the parser reads for a piece of source: every `\r\n` (and lone `\r`) as `\n`. */
function normalizeNewlines(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/** An element's (or PI's) tags as written, kept on the node as `:raw`. */
interface RawTag {
  /** The start tag exactly as written, e.g. `<disk type='file'\r\n      device="disk">`. */
  text: string;
  /** Its attributes as the parser read them, to tell whether an edit changed them. */
  attrs: [string, string][];
  /** The start tag in pieces (not for PIs): `<disk`, each attribute with the space before it, the tail (`>`, ` />`). */
  head?: string;
  pieces?: ScannedAttr[];
  tail?: string;
  selfClosing: boolean;
  /** The end tag as written (`</disk >`), when there is one. */
  close?: string;
}

function kindOf(node: XmlNode): ScannedNode['kind'] | null {
  if (typeof node['#text'] === 'string') return 'text';
  if (Array.isArray(node['#comment'])) return 'comment';
  if (Array.isArray(node['#cdata'])) return 'cdata';
  const tag = tagOf(node);
  if (tag === null) return null;
  return tag.startsWith('?') ? 'pi' : 'element';
}

function innerText(node: XmlNode, key: '#comment' | '#cdata'): string {
  return (node[key] as XmlNode[]).map((n) => String(n['#text'] ?? '')).join('');
}

/**
 * Pair the parser's nodes with the scanner's, in document order, and keep on
 * each the source it came from (`:raw`): the serialiser writes that back when
 * no edit changed the node. Every pair is checked (kind, name, text); at the
 * first disagreement nothing is kept and the document is written from the
 * tree instead (equivalent XML, not byte for byte). Returns the top-level gaps.
 */
function attachSource(text: string, scanned: ScannedNode[], nodes: XmlNode[]): string[] | null {
  const pending: [XmlNode, unknown][] = [];
  const pair = (node: XmlNode, s: ScannedNode): boolean => {
    const kind = kindOf(node);
    if (kind !== s.kind) return false;
    const raw = text.slice(s.start, s.end);
    switch (s.kind) {
      case 'text':
        if (normalizeNewlines(raw) !== node['#text']) return false;
        pending.push([node, raw]);
        return true;
      case 'comment':
      case 'cdata': {
        const inner = s.kind === 'comment' ? raw.slice(4, -3) : raw.slice(9, -3);
        if (normalizeNewlines(inner) !== innerText(node, s.kind === 'comment' ? '#comment' : '#cdata')) return false;
        pending.push([node, raw]);
        return true;
      }
      case 'pi': {
        if (tagOf(node) !== `?${s.target}`) return false;
        const attrs = Object.entries((node[':@'] as Record<string, string> | undefined) ?? {});
        pending.push([node, { text: raw, attrs, selfClosing: true } satisfies RawTag]);
        return true;
      }
      case 'element': {
        const tag = tagOf(node)!;
        if (tag !== s.name) return false;
        const attrs = Object.entries((node[':@'] as Record<string, string> | undefined) ?? {});
        if (attrs.length !== s.attrs.length || attrs.some(([k], i) => k !== `@_${s.attrs[i]!.name}`)) return false;
        const rawTag: RawTag = { text: text.slice(s.start, s.openEnd), attrs, head: s.head, pieces: s.attrs, tail: s.tail, selfClosing: s.selfClosing };
        if (!s.selfClosing) rawTag.close = text.slice(s.closeStart, s.end);
        pending.push([node, rawTag]);
        return pairList((node[tag] as XmlNode[] | undefined) ?? [], s.children);
      }
    }
  };
  const pairList = (list: XmlNode[], scannedList: ScannedNode[]): boolean =>
    list.length === scannedList.length && list.every((n, i) => pair(n, scannedList[i]!));
  // At top level the parser drops (some) whitespace, which the gaps keep.
  const top = scanned.filter((s) => s.kind !== 'text');
  if (!pairList(nodes, top)) return null;
  for (const [node, raw] of pending) node[':raw'] = raw;
  const gaps: string[] = [];
  let at = 0;
  for (const s of top) {
    gaps.push(text.slice(at, s.start));
    at = s.end;
  }
  gaps.push(text.slice(at));
  return gaps;
}

/** Gaps when the source could not be kept: each node on its own line. */
function fallbackGaps(count: number, newline: string): string[] {
  return Array.from({ length: count + 1 }, (_, i) => (i === 0 ? '' : newline));
}

function sameAttrs(raw: RawTag, attrs: Record<string, string>): boolean {
  const keys = Object.keys(attrs);
  return keys.length === raw.attrs.length && raw.attrs.every(([key, value], k) => keys[k] === key && attrs[key] === value);
}

function quoteAttr(value: string, preferred: "'" | '"'): string {
  const q = value.includes(preferred) ? (preferred === "'" ? '"' : "'") : preferred;
  const safe = value.includes(q) ? value.replace(new RegExp(q, 'g'), q === '"' ? '&quot;' : '&apos;') : value;
  return `${q}${safe}${q}`;
}

interface Style {
  quote: "'" | '"';
  newline: '\n' | '\r\n';
}

/** Text the parser gave (or an edit wrote), with the document's line ending. */
function withNewline(text: string, style: Style): string {
  return style.newline === '\n' ? text : text.replace(/\r?\n/g, style.newline);
}

/**
 * A start tag after an edit changed its attributes: each attribute the edit
 * left alone is written as it was (with the space before it), a changed one
 * gets its new value in its own quote, a removed one goes, a new one comes
 * last. Without the source, the tag is rebuilt.
 */
function startTag(tag: string, raw: RawTag | undefined, current: Record<string, string>, style: Style, selfClosing: boolean): string {
  const before = new Map(raw?.attrs ?? []);
  const own = raw?.text.match(/=\s*(['"])/)?.[1] as "'" | '"' | undefined;
  const fresh = (name: string, value: string, q: "'" | '"'): string => ` ${name}=${quoteAttr(value, q)}`;
  if (!raw?.pieces || raw.head === undefined || raw.tail === undefined) {
    const attrs = Object.entries(current).map(([k, v]) => fresh(k.slice(2), v, own ?? style.quote)).join('');
    return tag.startsWith('?') ? `<${tag}${attrs}?>` : `<${tag}${attrs}${selfClosing ? '/>' : '>'}`;
  }
  let out = raw.head;
  for (const piece of raw.pieces) {
    const key = `@_${piece.name}`;
    const value = current[key];
    if (value === undefined) continue;
    if (value === before.get(key)) out += piece.lead + piece.text;
    else out += `${piece.lead}${piece.name}=${quoteAttr(value, (piece.text.match(/=\s*(['"])/)?.[1] as "'" | '"' | undefined) ?? style.quote)}`;
  }
  const known = new Set(raw.pieces.map((p) => `@_${p.name}`));
  for (const [k, v] of Object.entries(current)) if (!known.has(k)) out += fresh(k.slice(2), v, own ?? style.quote);
  if (selfClosing === raw.selfClosing) return out + raw.tail;
  return out + (selfClosing ? '/>' : '>');
}

function writeNode(node: XmlNode, style: Style, out: string[]): void {
  const source = node[':raw'];
  if (typeof node['#text'] === 'string') {
    const text = node['#text'];
    out.push(typeof source === 'string' && normalizeNewlines(source) === text ? source : withNewline(text, style));
    return;
  }
  for (const [key, open, close] of [['#comment', '<!--', '-->'], ['#cdata', '<![CDATA[', ']]>']] as const) {
    if (!Array.isArray(node[key])) continue;
    const written = `${open}${innerText(node, key)}${close}`;
    out.push(typeof source === 'string' && normalizeNewlines(source) === written ? source : withNewline(written, style));
    return;
  }
  const tag = tagOf(node);
  if (!tag) return;
  const kids = (node[tag] as XmlNode[] | undefined) ?? [];
  const current = (node[':@'] as Record<string, string> | undefined) ?? {};
  const raw = source as RawTag | undefined;
  if (tag.startsWith('?')) {
    // A processing instruction: as written, unless an edit changed the attributes the parser found in it.
    out.push(raw && sameAttrs(raw, current) ? raw.text : startTag(tag, raw, current, style, true));
    return;
  }
  // An empty element stays as it was written (`<a/>` or `<a></a>`); one that gains children gets an end tag.
  const selfClosing = kids.length === 0 && (raw?.selfClosing ?? true);
  out.push(raw && sameAttrs(raw, current) && selfClosing === raw.selfClosing ? raw.text : startTag(tag, raw, current, style, selfClosing));
  if (selfClosing) return;
  for (const kid of kids) writeNode(kid, style, out);
  out.push(raw?.close ?? `</${tag}>`);
}

/**
 * Serialise a document as it was written: every node no edit touched comes
 * back byte for byte (line endings, processing instructions, the spacing
 * inside tags); new or edited parts use the source's attribute quote and
 * line ending, `<a/>` for empty elements, and every value exactly as stored
 * (entities are never decoded on the way). A value that holds the quote
 * character gets the other quote.
 */
export function serializeXml(doc: XmlDocument): string {
  const style: Style = { quote: doc.quote, newline: doc.newline };
  const out: string[] = [];
  doc.nodes.forEach((node, i) => {
    out.push(doc.gaps[i] ?? (i > 0 ? style.newline : ''));
    writeNode(node, style, out);
  });
  out.push(doc.gaps[doc.nodes.length] ?? style.newline);
  return out.join('');
}

/** A deep copy: edits work on copies so that they stay pure functions. */
export function cloneDocument(doc: XmlDocument): XmlDocument {
  return { nodes: structuredClone(doc.nodes), quote: doc.quote, gaps: [...doc.gaps], newline: doc.newline };
}

/** The element name of a node (`domain`, `qemu:commandline`), or null for text, comments, CDATA. */
export function tagOf(node: XmlNode): string | null {
  for (const key of Object.keys(node)) {
    if (key !== ':@' && key !== ':raw' && key !== '#text' && key !== '#comment' && key !== '#cdata') return key;
  }
  return null;
}

/** The document's root element (the first element at top level, skipping `?xml` and comments). */
export function rootElement(doc: XmlDocument): XmlNode | null {
  return doc.nodes.find((n) => {
    const tag = tagOf(n);
    return tag !== null && !tag.startsWith('?');
  }) ?? null;
}
