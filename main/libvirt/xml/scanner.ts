import { VitrineError } from '../../common/errors';

/**
 * A small XML tokeniser and well-formedness checker. It runs before
 * fast-xml-parser for two reasons: the parser's own checks let through
 * documents libvirt refuses (two roots, `<` in an attribute, NUL bytes), and
 * the parser forgets the source's exact bytes (CRLF, PI text, end-tag
 * spacing), which the serialiser needs back. Every construct is skipped by
 * its real grammar (comments, CDATA, PIs, quoted attribute values), so text
 * inside one of them can never be taken for markup, e.g. a `<!DOCTYPE` in a
 * comment or a `<!--` in a processing instruction.
 */

/** An attribute as written: its name, the whitespace before it and `name='value'` itself. */
export interface ScannedAttr {
  name: string;
  lead: string;
  text: string;
}

export type ScannedNode =
  | { kind: 'text'; start: number; end: number }
  | { kind: 'comment'; start: number; end: number }
  | { kind: 'cdata'; start: number; end: number }
  | { kind: 'pi'; start: number; end: number; target: string }
  | ScannedElement;

export interface ScannedElement {
  kind: 'element';
  name: string;
  /** Offsets of the start tag (`<a x='1'>`), and of the end tag (`</a >`; empty for `<a/>`). */
  start: number;
  openEnd: number;
  closeStart: number;
  end: number;
  /** The start tag cut in pieces: `<name`, each attribute, and the tail (`>`, ` />`…). */
  head: string;
  attrs: ScannedAttr[];
  tail: string;
  selfClosing: boolean;
  children: ScannedNode[];
}

/** No libvirt domain comes close (the deepest real ones have about 8 levels). */
export const MAX_DEPTH = 64;

/**
 * XML's NameStartChar, less U+1680 and U+FEFF: JavaScript counts those two as
 * white space, and fast-xml-parser would cut a name there.
 */
const NAME_START =
  'A-Z_a-z:\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u167F\\u1681-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFEFE\\uFF00-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
/** An XML Name, matched at `lastIndex` only. */
// eslint-disable-next-line no-misleading-character-class -- NameChar lists combining marks (U+0300-U+036F) as code points on their own, as XML does.
const NAME = new RegExp(`[${NAME_START}][${NAME_CHAR}]*`, 'uy');
/** Characters XML 1.0 forbids anywhere, even escaped: C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF. */
const FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const SPACE = /[ \t\r\n]*/y;
const REFERENCE = /&(?:([A-Za-z_:][\w.:-]*)|#([0-9]+)|#x([0-9A-Fa-f]+));/y;
const PREDEFINED = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);
/** XML 1.0's XMLDecl production, whole. */
const XML_DECLARATION =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:'1\.[0-9]+'|"1\.[0-9]+")(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:'[A-Za-z][\w.-]*'|"[A-Za-z][\w.-]*"))?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:'(?:yes|no)'|"(?:yes|no)"))?[ \t\r\n]*\?>$/;

/** 1-based line and column of an offset; `\r\n`, `\r` and `\n` each end a line, columns count characters. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: [...text.slice(lineStart, offset)].length + 1 };
}

function describeChar(c: string): string {
  const code = c.codePointAt(0)!;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code === 0) return 'a NUL byte (U+0000)';
  if (code >= 0xd800 && code <= 0xdfff) return `an unpaired surrogate (${hex})`;
  return code < 0x20 ? `the control character ${hex}` : `the character ${hex}`;
}

function quoteSnippet(s: string): string {
  const one = s.length > 20 ? `${s.slice(0, 20)}…` : s;
  return JSON.stringify(one);
}

class Scanner {
  private readonly stack: ScannedElement[] = [];
  private readonly top: ScannedNode[] = [];
  private root: ScannedElement | null = null;
  readonly pis: { start: number; end: number; target: string }[] = [];
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly what: string,
  ) {}

  private fail(offset: number, problem: string, hint: string, kind = 'xml-malformed'): never {
    const { line, column } = lineAndColumn(this.text, offset);
    throw new VitrineError({
      kind,
      message:
        kind === 'xml-dtd'
          ? `${this.what} carries a DTD or entity declarations (${problem} at line ${line}, column ${column}), which Vitrine refuses: they can read local files or expand without end.`
          : kind === 'xml-too-deep'
            ? `${this.what} nests elements too deeply: ${problem} (line ${line}, column ${column}).`
            : `${this.what} is not well-formed XML: ${problem} (line ${line}, column ${column}).`,
      hint,
    });
  }

  private where(offset: number): string {
    const { line, column } = lineAndColumn(this.text, offset);
    return `line ${line}, column ${column}`;
  }

  private name(at: number): string | null {
    NAME.lastIndex = at;
    const m = NAME.exec(this.text);
    return m ? m[0] : null;
  }

  private space(at: number): number {
    SPACE.lastIndex = at;
    SPACE.exec(this.text);
    return SPACE.lastIndex;
  }

  private add(node: ScannedNode): void {
    const parent = this.stack[this.stack.length - 1];
    (parent ? parent.children : this.top).push(node);
  }

  /** Entity and character references in text or an attribute value, from `from` to `to`. */
  private checkReferences(from: number, to: number, inside: string): void {
    const span = this.text.slice(from, to);
    for (let k = span.indexOf('&'); k >= 0; k = span.indexOf('&', k + 1)) {
      const amp = from + k;
      REFERENCE.lastIndex = amp;
      const m = REFERENCE.exec(this.text);
      if (!m || REFERENCE.lastIndex > to) {
        this.fail(amp, `a bare '&' ${inside}`, "Write a literal & as &amp; (and < as &lt;).");
      }
      if (m[1] !== undefined) {
        if (!PREDEFINED.has(m[1])) {
          this.fail(amp, `the entity &${m[1]}; is not defined`, 'Only &amp; &lt; &gt; &quot; &apos; and character references like &#233; exist without a DTD: write the character itself.');
        }
        continue;
      }
      const code = m[2] !== undefined ? parseInt(m[2], 10) : parseInt(m[3]!, 16);
      const ok = code <= 0x10ffff && !FORBIDDEN.test(String.fromCodePoint(code));
      if (!ok) {
        this.fail(amp, `the character reference ${m[0]} names a character XML forbids`, 'Remove it: XML cannot carry that character, not even escaped.');
      }
    }
  }

  scan(): { nodes: ScannedNode[]; root: ScannedElement } {
    const { text } = this;
    const bad = FORBIDDEN.exec(text);
    if (bad) {
      this.fail(bad.index, `${describeChar(bad[0])} is not allowed in XML`, 'Remove that character. A NUL or control character usually means the file is damaged or not a text file: export it again with: virsh dumpxml --inactive --security-info NAME');
    }
    // A byte-order mark is allowed before everything; it stays with the first gap.
    this.i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    const first = this.i;
    while (this.i < text.length) {
      const lt = text.indexOf('<', this.i);
      const stop = lt < 0 ? text.length : lt;
      if (stop > this.i) this.textRun(this.i, stop);
      if (lt < 0) break;
      this.markup(lt, first);
    }
    const open = this.stack[this.stack.length - 1];
    if (open) {
      this.fail(open.start, `<${open.name}> is never closed (the document ends first)`, `Close it with </${open.name}>, or export the XML again: it may have been cut short.`);
    }
    if (!this.root) this.fail(text.length, 'there is no root element', 'Give a document with one element, e.g. <domain type=\'kvm\'>…</domain>.');
    return { nodes: this.top, root: this.root };
  }

  private textRun(from: number, to: number): void {
    const { text } = this;
    if (this.stack.length === 0) {
      const end = this.space(from);
      if (end < to) {
        this.fail(end, `text ${quoteSnippet(text.slice(end, to).trim())} outside the root element`, this.root ? 'Everything after the root element\'s end tag must be comments or blank: remove it.' : 'A domain file starts with <domain …> (optionally after <?xml …?> and comments).');
      }
    } else {
      const cdataEnd = text.slice(from, to).indexOf(']]>');
      if (cdataEnd >= 0) this.fail(from + cdataEnd, "']]>' in text", 'Write it as ]]&gt;.');
      this.checkReferences(from, to, 'in text');
    }
    this.add({ kind: 'text', start: from, end: to });
    this.i = to;
  }

  private markup(lt: number, first: number): void {
    const { text } = this;
    if (text.startsWith('<!--', lt)) {
      const close = text.indexOf('-->', lt + 4);
      if (close < 0) this.fail(lt, 'a comment <!-- is never closed', 'End the comment with -->.');
      this.add({ kind: 'comment', start: lt, end: close + 3 });
      this.i = close + 3;
      return;
    }
    if (text.startsWith('<![CDATA[', lt)) {
      if (this.stack.length === 0) this.fail(lt, 'a CDATA section outside the root element', 'Move it inside the root element, or remove it.');
      const close = text.indexOf(']]>', lt + 9);
      if (close < 0) this.fail(lt, 'a CDATA section <![CDATA[ is never closed', 'End it with ]]>.');
      this.add({ kind: 'cdata', start: lt, end: close + 3 });
      this.i = close + 3;
      return;
    }
    if (text.startsWith('<!', lt)) {
      const word = /^<!([A-Za-z]*)/.exec(text.slice(lt, lt + 12))![1]!.toUpperCase();
      if (word === 'DOCTYPE' || word === 'ENTITY' || word === 'ELEMENT' || word === 'ATTLIST' || word === 'NOTATION') {
        this.fail(lt, `<!${word}`, 'Remove the <!DOCTYPE …> part: libvirt domain XML never needs one.', 'xml-dtd');
      }
      this.fail(lt, `unknown markup ${quoteSnippet(text.slice(lt, lt + 12))}`, 'Only comments (<!-- … -->) and CDATA sections (<![CDATA[ … ]]>) start with <!.');
    }
    if (text.startsWith('<?', lt)) return this.pi(lt, first);
    if (text.startsWith('</', lt)) return this.endTag(lt);
    return this.startTag(lt);
  }

  private pi(lt: number, first: number): void {
    const { text } = this;
    const target = this.name(lt + 2);
    if (!target) this.fail(lt + 2, 'a processing instruction <? without a target name', 'Write <?target …?>, or remove it.');
    const after = lt + 2 + target.length;
    const close = text.indexOf('?>', after);
    if (close < 0) this.fail(lt, `the processing instruction <?${target} is never closed`, 'End it with ?>.');
    if (close > after && this.space(after) === after) {
      this.fail(after, `a processing instruction target ${quoteSnippet(text.slice(lt + 2, close))} that is not a name`, 'Put a space between the target and the rest: <?target data?>.');
    }
    if (target.toLowerCase() === 'xml') {
      if (lt !== first || target !== 'xml') {
        this.fail(lt, 'the XML declaration <?xml …?> is allowed only at the very start of the document', 'Move it to the first line, before anything else (even blank lines), or remove it.');
      }
      if (!XML_DECLARATION.test(text.slice(lt, close + 2))) {
        this.fail(lt, `the XML declaration ${quoteSnippet(text.slice(lt, close + 2))} is malformed`, 'Write it as <?xml version="1.0" encoding="UTF-8"?>, or remove it.');
      }
    } else {
      this.pis.push({ start: lt, end: close + 2, target });
    }
    this.add({ kind: 'pi', start: lt, end: close + 2, target });
    this.i = close + 2;
  }

  private endTag(lt: number): void {
    const { text } = this;
    const name = this.name(lt + 2);
    if (!name) this.fail(lt, 'an end tag </ without a name', 'Write </name>.');
    const gt = this.space(lt + 2 + name.length);
    if (text[gt] !== '>') this.fail(gt, `the end tag </${name} is not closed by '>'`, `Write </${name}>.`);
    const open = this.stack.pop();
    if (!open) {
      this.fail(lt, `the end tag </${name}> closes nothing`, 'Remove it: every element is already closed at that point.');
    }
    if (open.name !== name) {
      this.fail(lt, `the end tag </${name}> does not match <${open.name}> (opened at ${this.where(open.start)})`, `Close <${open.name}> with </${open.name}> first, or fix the name.`);
    }
    open.closeStart = lt;
    open.end = gt + 1;
    this.i = gt + 1;
  }

  private startTag(lt: number): void {
    const { text } = this;
    const name = this.name(lt + 1);
    if (!name) {
      this.fail(lt, `'<' not followed by a tag name (${quoteSnippet(text.slice(lt, lt + 10))})`, 'Write a literal < as &lt;.');
    }
    let at = lt + 1 + name.length;
    let tailStart = at;
    const attrs: ScannedAttr[] = [];
    const seen = new Set<string>();
    for (;;) {
      const ws = at;
      at = this.space(at);
      if (at >= text.length) this.fail(lt, `the start tag <${name} is never ended`, `End it with > (or />), or export the XML again: it may have been cut short.`);
      if (text[at] === '>' || text.startsWith('/>', at)) break;
      if (at === ws) this.fail(at, `no space before ${quoteSnippet(text.slice(at, at + 10))} in <${name}>`, 'Separate attributes with a space: a=\'1\' b=\'2\'.');
      const attr = this.name(at);
      if (!attr) this.fail(at, `${quoteSnippet(text.slice(at, at + 10))} where an attribute or the end of <${name}> should be`, 'Attributes are written name=\'value\'.');
      let eq = this.space(at + attr.length);
      if (text[eq] !== '=') this.fail(eq, `the attribute ${attr} of <${name}> has no value`, `Write ${attr}='value'.`);
      eq = this.space(eq + 1);
      const q = text[eq];
      if (q !== '"' && q !== "'") this.fail(eq, `the value of ${attr} in <${name}> is not quoted`, `Write ${attr}='value'.`);
      const close = text.indexOf(q, eq + 1);
      if (close < 0) this.fail(eq, `the value of ${attr} in <${name}> is never closed by ${q}`, `Close the value with ${q}.`);
      const lt2 = text.slice(eq + 1, close).indexOf('<');
      if (lt2 >= 0) {
        this.fail(eq + 1 + lt2, `'<' inside the value of the attribute ${attr} of <${name}>`, 'Write a literal < in an attribute value as &lt;.');
      }
      this.checkReferences(eq + 1, close, `in the value of ${attr}`);
      if (seen.has(attr)) this.fail(at, `the attribute ${attr} appears twice in <${name}>`, 'Keep one of them.');
      seen.add(attr);
      attrs.push({ name: attr, lead: text.slice(ws, at), text: text.slice(at, close + 1) });
      at = close + 1;
      tailStart = at;
    }
    const selfClosing = text[at] === '/';
    const openEnd = at + (selfClosing ? 2 : 1);
    if (this.stack.length === 0) {
      if (this.root) {
        this.fail(lt, `a second root element <${name}> (the root <${this.root.name}> began at ${this.where(this.root.start)} and has ended)`, `A document has one root element: keep the one you mean, and put the other in its own file.`);
      }
    }
    if (this.stack.length >= MAX_DEPTH) {
      this.fail(lt, `<${name}> is nested more than ${MAX_DEPTH} levels deep`, `No libvirt domain nests anywhere near ${MAX_DEPTH} levels: this is not a domain document (or it was generated wrongly).`, 'xml-too-deep');
    }
    const element: ScannedElement = {
      kind: 'element',
      name,
      start: lt,
      openEnd,
      closeStart: openEnd,
      end: openEnd,
      head: text.slice(lt, lt + 1 + name.length),
      attrs,
      tail: text.slice(tailStart, openEnd),
      selfClosing,
      children: [],
    };
    this.add(element);
    if (this.stack.length === 0) this.root = element;
    if (!selfClosing) this.stack.push(element);
    this.i = openEnd;
  }
}

/** What the scanner found: the nodes (top level first), the root, and the text to give the parser. */
export interface Scanned {
  nodes: ScannedNode[];
  root: ScannedElement;
  /**
   * The source with each processing instruction's data left out (`<?target?>`):
   * fast-xml-parser reads a PI's data as attributes and lets a quote in it run
   * past the `?>`; PIs are written back from the source anyway.
   */
  forParser: string;
}

/**
 * Tokenise a whole document and check that it is well-formed XML without a
 * DTD: one root element, matched tags, quoted attributes without `<`, only
 * the predefined entities, no character XML forbids, at most 64 levels.
 * Throws a VitrineError naming the line and column of the first problem.
 */
export function scanXml(text: string, what: string): Scanned {
  const scanner = new Scanner(text, what);
  const { nodes, root } = scanner.scan();
  const parts: string[] = [];
  let at = 0;
  for (const pi of scanner.pis) {
    parts.push(text.slice(at, pi.start), `<?${pi.target}?>`);
    at = pi.end;
  }
  parts.push(text.slice(at));
  return { nodes, root, forParser: parts.join('') };
}
