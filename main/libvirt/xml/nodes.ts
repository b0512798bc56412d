import { escapeXml, parseXml, rootElement, tagOf, type XmlNode } from './document';

/**
 * Small helpers to read and edit the ordered tree in place. Edits touch only
 * the nodes they address; everything else (comments, unknown elements,
 * namespaces, spacing) stays as it was.
 */

/** The child nodes of an element (text, comments and elements, in order). */
export function childrenOf(element: XmlNode): XmlNode[] {
  const tag = tagOf(element);
  if (!tag) return [];
  const value = element[tag];
  if (!Array.isArray(value)) element[tag] = [];
  return element[tag] as XmlNode[];
}

/** Child elements, optionally only those with a given name. */
export function elements(element: XmlNode, name?: string): XmlNode[] {
  return childrenOf(element).filter((n) => {
    const tag = tagOf(n);
    return tag !== null && (name === undefined || tag === name);
  });
}

/** The first child element with that name, or null. */
export function child(element: XmlNode, name: string): XmlNode | null {
  return elements(element, name)[0] ?? null;
}

/** Follow a path of element names (`devices/hostdev`) from an element; first match at each step. */
export function find(element: XmlNode, path: string): XmlNode | null {
  let current: XmlNode | null = element;
  for (const step of path.split('/')) {
    if (!current) return null;
    current = child(current, step);
  }
  return current;
}

/** Every element at the end of a path (`devices/hostdev` -> every hostdev). */
export function findAll(element: XmlNode, path: string): XmlNode[] {
  const steps = path.split('/');
  let current: XmlNode[] = [element];
  for (const step of steps) current = current.flatMap((e) => elements(e, step));
  return current;
}

/** An attribute's value as written (entities not decoded), or null. */
export function attr(element: XmlNode, name: string): string | null {
  const attrs = element[':@'] as Record<string, string> | undefined;
  const value = attrs?.[`@_${name}`];
  return value === undefined ? null : value;
}

/** An attribute's value with the five predefined entities decoded. */
export function attrValue(element: XmlNode, name: string): string | null {
  const raw = attr(element, name);
  return raw === null ? null : decodeEntities(raw);
}

/** Set an attribute (the value is escaped); keeps the attribute's place if it exists. */
export function setAttr(element: XmlNode, name: string, value: string): void {
  const attrs = (element[':@'] as Record<string, string> | undefined) ?? {};
  attrs[`@_${name}`] = escapeXml(value);
  element[':@'] = attrs;
}

export function removeAttr(element: XmlNode, name: string): void {
  const attrs = element[':@'] as Record<string, string> | undefined;
  if (!attrs) return;
  delete attrs[`@_${name}`];
  if (Object.keys(attrs).length === 0) delete element[':@'];
}

/** Decode the five predefined entities and character references. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[e]!;
  });
}

/** The element's text content (direct text and CDATA children), decoded and trimmed. */
export function textOf(element: XmlNode): string {
  let out = '';
  for (const node of childrenOf(element)) {
    if (typeof node['#text'] === 'string') out += decodeEntities(node['#text']);
    else if (Array.isArray(node['#cdata'])) out += (node['#cdata'] as XmlNode[]).map((n) => String(n['#text'] ?? '')).join('');
  }
  return out.trim();
}

/** Replace the element's content with one text node (escaped). */
export function setText(element: XmlNode, value: string): void {
  const tag = tagOf(element)!;
  element[tag] = [{ '#text': escapeXml(value) }];
}

/** The whitespace text that precedes the element's children, i.e. its children's indentation. */
function childIndent(parent: XmlNode, parentIndent: string): string {
  const kids = childrenOf(parent);
  for (let i = 0; i < kids.length; i++) {
    const text = kids[i]!['#text'];
    if (typeof text === 'string' && /^\s+$/.test(text) && i + 1 < kids.length && tagOf(kids[i + 1]!) !== null) {
      return text.slice(text.lastIndexOf('\n') + 1);
    }
  }
  return `${parentIndent}  `;
}

/** The indentation of an element, found from the whitespace before it in its parent. */
export function indentOf(parent: XmlNode, element: XmlNode): string {
  const kids = childrenOf(parent);
  const i = kids.indexOf(element);
  const before = i > 0 ? kids[i - 1]!['#text'] : undefined;
  return typeof before === 'string' && before.includes('\n') ? before.slice(before.lastIndexOf('\n') + 1) : '';
}

/** Re-indent a freshly parsed element: every newline inside it gets `prefix` added. */
function reindent(node: XmlNode, prefix: string): void {
  const tag = tagOf(node);
  if (!tag) return;
  for (const kid of childrenOf(node)) {
    const text = kid['#text'];
    if (typeof text === 'string' && /^\s+$/.test(text)) kid['#text'] = text.replace(/\n/g, `\n${prefix}`);
    else reindent(kid, prefix);
  }
}

/** Forget how a snippet's text was written, so that it takes the line ending of the document it joins. */
function forgetTextSource(node: XmlNode): void {
  const tag = tagOf(node);
  if (!tag) {
    delete node[':raw'];
    return;
  }
  for (const kid of childrenOf(node)) forgetTextSource(kid);
}

/** Parse one element from a snippet of XML (written by Vitrine, escaped with `xml`). */
export function fromXml(snippet: string): XmlNode {
  const root = rootElement(parseXml(snippet.trim(), 'A built element'));
  if (!root) throw new Error(`no element in snippet: ${snippet}`);
  forgetTextSource(root);
  return root;
}

/**
 * Insert an element as a child of `parent`, after the last child with the
 * same name (or at the end), indented like its siblings.
 * `parentIndent` is the parent's own indentation (used when it has no children yet).
 */
export function insertChild(parent: XmlNode, element: XmlNode, parentIndent: string, after?: XmlNode | null): XmlNode {
  const kids = childrenOf(parent);
  const indent = childIndent(parent, parentIndent);
  reindent(element, indent);
  const name = tagOf(element);
  const anchor = after !== undefined ? after : ([...kids].reverse().find((k) => tagOf(k) === name) ?? null);
  if (kids.length === 0 || kids.every((k) => typeof k['#text'] === 'string' && /^\s*$/.test(k['#text'] as string))) {
    parent[tagOf(parent)!] = [{ '#text': `\n${indent}` }, element, { '#text': `\n${parentIndent}` }];
    return element;
  }
  if (anchor) {
    kids.splice(kids.indexOf(anchor) + 1, 0, { '#text': `\n${indent}` }, element);
    return element;
  }
  // At the end: before the trailing whitespace that closes the parent.
  const last = kids[kids.length - 1]!;
  const trailing = typeof last['#text'] === 'string' && /^\s+$/.test(last['#text'] as string);
  kids.splice(trailing ? kids.length - 1 : kids.length, 0, { '#text': `\n${indent}` }, element);
  if (!trailing) kids.push({ '#text': `\n${parentIndent}` });
  return element;
}

/** Remove an element and the whitespace that indented it. */
export function removeChild(parent: XmlNode, element: XmlNode): void {
  const kids = childrenOf(parent);
  const i = kids.indexOf(element);
  if (i < 0) return;
  const before = kids[i - 1];
  const ws = before && typeof before['#text'] === 'string' && /^\s+$/.test(before['#text'] as string);
  kids.splice(ws ? i - 1 : i, ws ? 2 : 1);
}

/** Get a child element, creating it (from a snippet) where it is missing. */
export function ensureChild(parent: XmlNode, name: string, parentIndent: string, snippet = `<${name}/>`): XmlNode {
  return child(parent, name) ?? insertChild(parent, fromXml(snippet), parentIndent);
}

/** A tagged template for snippets: interpolated values are escaped. */
export function xml(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? escapeXml(String(values[i])) : ''), '');
}
