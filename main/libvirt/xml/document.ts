import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { VitrineError } from '../../common/errors';

/**
 * A node of fast-xml-parser's ordered tree: `{ tag: children[], ':@': { '@_attr': value } }`,
 * `{ '#text': '…' }`, `{ '#comment': [{ '#text': '…' }] }` or `{ '#cdata': [...] }`.
 */
export type XmlNode = Record<string, unknown>;

/** A parsed document: the top-level nodes (declaration, comments, the root element). */
export interface XmlDocument {
  nodes: XmlNode[];
  /** The attribute quote the source mostly used (libvirt writes `'`), kept on output. */
  quote: "'" | '"';
  /** Whitespace between the top-level nodes (the parser drops it), in order; the last one ends the file. */
  gaps: string[];
}

/**
 * The lossless settings (shared/DESIGN.md "Domain XML is the model"): order,
 * attributes, comments, CDATA and whitespace kept; no value parsed; entities
 * left exactly as written (processEntities off), so `&amp;` stays `&amp;`.
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

/** Text with comments and CDATA sections blanked, to look for markup outside them. */
function outsideCommentsAndCdata(text: string): string {
  return text.replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
}

/**
 * Parse XML text into a document. Refuses DTDs and entity declarations (XXE,
 * "billion laughs"), malformed XML (with line and column), and, when
 * `rootName` is given, a document whose root element is another.
 */
export function parseXml(text: string, what: string, rootName?: string): XmlDocument {
  if (typeof text !== 'string' || text.trim().length === 0) {
    throw new VitrineError({ kind: 'xml-empty', message: `${what} is empty.`, hint: 'Give a file with a libvirt <domain> document.' });
  }
  const markup = outsideCommentsAndCdata(text);
  if (/<!DOCTYPE/i.test(markup) || /<!ENTITY/i.test(markup)) {
    throw new VitrineError({
      kind: 'xml-dtd',
      message: `${what} carries a DTD or entity declarations, which Vitrine refuses (they can read local files or expand without end).`,
      hint: 'Remove the <!DOCTYPE …> part: libvirt domain XML never needs one.',
    });
  }
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    throw new VitrineError({
      kind: 'xml-malformed',
      message: `${what} is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col}).`,
      hint: 'Fix the XML at that place, or export it again with: virsh dumpxml --inactive --security-info NAME',
    });
  }
  // Whitespace between top-level nodes is kept in `gaps` (the parser keeps some of it as text nodes, not all).
  const nodes = (parser.parse(text) as XmlNode[]).filter((n) => typeof n['#text'] !== 'string');
  attachRawTags(text, nodes);
  const single = (text.match(/=\s*'/g) ?? []).length;
  const double = (text.match(/=\s*"/g) ?? []).length;
  const doc: XmlDocument = { nodes, quote: single > double ? "'" : '"', gaps: topLevelGaps(text, nodes.length) };
  if (rootName !== undefined) {
    const root = rootElement(doc);
    const name = root ? tagOf(root) : null;
    if (name !== rootName) {
      throw new VitrineError({
        kind: 'xml-not-domain',
        message: `${what} is not a libvirt ${rootName} document (its root element is <${name ?? 'none'}>).`,
        hint: `Give the XML of a ${rootName}, e.g. from: virsh dumpxml --inactive --security-info NAME`,
      });
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

/**
 * The whitespace before each top-level node and after the last one. The
 * parser keeps none of it; without it the XML declaration, leading comments
 * and the final newline would run together on output.
 */
function topLevelGaps(text: string, count: number): string[] {
  const gaps: string[] = [];
  let i = 0;
  const skipSpace = (): string => {
    const start = i;
    while (i < text.length && /\s/.test(text[i]!)) i++;
    return text.slice(start, i);
  };
  for (let n = 0; n < count; n++) {
    gaps.push(skipSpace());
    if (text.startsWith('<!--', i)) i = text.indexOf('-->', i) + 3;
    else if (text.startsWith('<?', i)) i = text.indexOf('?>', i) + 2;
    else {
      // The root element: jump to its end, the last '>' before trailing space/comments.
      const tail = text.trimEnd();
      let end = tail.length;
      while (tail.slice(0, end).endsWith('-->')) end = tail.lastIndexOf('<!--', end) ;
      i = tail.lastIndexOf('>', end - 1) + 1;
    }
  }
  gaps.push(skipSpace());
  return gaps;
}

interface RawTag {
  /** The start tag exactly as written, e.g. `<disk type='file' device="disk">`. */
  text: string;
  /** Its attributes as parsed, to tell whether an edit changed them. */
  attrs: [string, string][];
  selfClosing: boolean;
}

const START_TAG = /<([A-Za-z_][\w.:-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/y;
const PI_TAG = /<\?([A-Za-z_][\w.:-]*)((?:\s+[^\s=?>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*\?>/y;
const ATTR = /([^\s=/>?]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** Every start tag (and processing instruction) of the text, in document order. */
function scanStartTags(text: string): RawTag[] {
  const tags: RawTag[] = [];
  let i = text.indexOf('<');
  while (i >= 0 && i < text.length) {
    if (text.startsWith('<!--', i)) i = text.indexOf('-->', i) + 3;
    else if (text.startsWith('<![CDATA[', i)) i = text.indexOf(']]>', i) + 3;
    else if (text.startsWith('</', i)) i = text.indexOf('>', i) + 1;
    else {
      const re = text.startsWith('<?', i) ? PI_TAG : START_TAG;
      re.lastIndex = i;
      const m = text.match(re); // sticky: matches at lastIndex only
      if (!m) return [];
      const attrs = [...(m[2] ?? '').matchAll(ATTR)].map((a): [string, string] => [a[1]!, a[2] ?? a[3] ?? '']);
      tags.push({ text: m[0], attrs, selfClosing: m[3] === '/' });
      i = re.lastIndex;
    }
    if (i <= 0) break;
    i = text.indexOf('<', i);
  }
  return tags;
}

/**
 * Remember each element's start tag as written (node[':raw']), matched to the
 * parsed elements in document order. If the counts disagree the memory is
 * dropped and tags are rebuilt instead (still equivalent XML).
 */
function attachRawTags(text: string, nodes: XmlNode[]): void {
  const tags = scanStartTags(text);
  const elementsInOrder: XmlNode[] = [];
  const walk = (list: XmlNode[]): void => {
    for (const n of list) {
      const tag = tagOf(n);
      if (!tag) continue;
      elementsInOrder.push(n);
      if (Array.isArray(n[tag])) walk(n[tag] as XmlNode[]);
    }
  };
  walk(nodes);
  if (tags.length !== elementsInOrder.length) return;
  elementsInOrder.forEach((n, k) => {
    n[':raw'] = tags[k];
  });
}

function sameAttrs(raw: RawTag, attrs: Record<string, string>): boolean {
  const keys = Object.keys(attrs);
  return keys.length === raw.attrs.length && raw.attrs.every(([name, value], k) => keys[k] === `@_${name}` && attrs[`@_${name}`] === value);
}

function quoteAttr(value: string, preferred: "'" | '"'): string {
  const q = value.includes(preferred) ? (preferred === "'" ? '"' : "'") : preferred;
  const safe = value.includes(q) ? value.replace(new RegExp(q, 'g'), q === '"' ? '&quot;' : '&apos;') : value;
  return `${q}${safe}${q}`;
}

function writeNode(node: XmlNode, quote: "'" | '"', out: string[]): void {
  if (typeof node['#text'] === 'string') {
    out.push(node['#text']);
    return;
  }
  if (Array.isArray(node['#comment'])) {
    out.push(`<!--${(node['#comment'] as XmlNode[]).map((n) => String(n['#text'] ?? '')).join('')}-->`);
    return;
  }
  if (Array.isArray(node['#cdata'])) {
    out.push(`<![CDATA[${(node['#cdata'] as XmlNode[]).map((n) => String(n['#text'] ?? '')).join('')}]]>`);
    return;
  }
  const tag = tagOf(node);
  if (!tag) return;
  const kids = (node[tag] as XmlNode[] | undefined) ?? [];
  const current = (node[':@'] as Record<string, string> | undefined) ?? {};
  const raw = node[':raw'] as RawTag | undefined;
  // An element whose attributes no edit touched is written exactly as it was read.
  if (raw && sameAttrs(raw, current) && (tag.startsWith('?') || raw.selfClosing === (kids.length === 0) || (!raw.selfClosing && kids.length === 0))) {
    out.push(raw.text);
    if (tag.startsWith('?') || raw.selfClosing) return;
    for (const kid of kids) writeNode(kid, quote, out);
    out.push(`</${tag}>`);
    return;
  }
  // Otherwise rebuilt, with the quote this element used before (or the document's).
  const own = raw?.text.match(/=\s*(['"])/)?.[1] as "'" | '"' | undefined;
  const attrs = Object.entries(current)
    .map(([k, v]) => ` ${k.slice(2)}=${quoteAttr(v, own ?? quote)}`)
    .join('');
  if (tag.startsWith('?')) {
    out.push(`<${tag}${attrs}?>`);
    return;
  }
  if (kids.length === 0) {
    out.push(`<${tag}${attrs}/>`);
    return;
  }
  out.push(`<${tag}${attrs}>`);
  for (const kid of kids) writeNode(kid, quote, out);
  out.push(`</${tag}>`);
}

/**
 * Serialise a document as it was written: the source's attribute quote, the
 * whitespace and comments around the root, `<a/>` for empty elements, and
 * every value exactly as stored (entities are never decoded on the way).
 * A value that holds the quote character gets the other quote.
 */
export function serializeXml(doc: XmlDocument): string {
  const out: string[] = [];
  doc.nodes.forEach((node, i) => {
    out.push(doc.gaps[i] ?? (i > 0 ? '\n' : ''));
    writeNode(node, doc.quote, out);
  });
  out.push(doc.gaps[doc.nodes.length] ?? '\n');
  return out.join('');
}

/** A deep copy: edits work on copies so that they stay pure functions. */
export function cloneDocument(doc: XmlDocument): XmlDocument {
  return { nodes: structuredClone(doc.nodes), quote: doc.quote, gaps: [...doc.gaps] };
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
