import { VitrineError } from '../../common/errors';
import { msg, type Msg } from '../../../shared/i18n/message';
import { whatMsg } from './what';

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

function describeChar(c: string): Msg {
  const code = c.codePointAt(0)!;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code === 0) return msg('error.xml.scan.nul');
  if (code >= 0xd800 && code <= 0xdfff) return msg('error.xml.scan.surrogate', { hex });
  return code < 0x20 ? msg('error.xml.scan.control', { hex }) : msg('error.xml.scan.char', { hex });
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

  /** Refuse the document: the problem and the hint are catalogue messages (error.xml.scan.*). */
  private fail(offset: number, problem: Msg, hint: Msg, kind = 'xml-malformed'): never {
    const { line, column } = lineAndColumn(this.text, offset);
    const params = { what: whatMsg(this.what), problem, line: String(line), column: String(column) };
    throw VitrineError.of(kind, msg(kind === 'xml-dtd' ? 'error.xml.dtd' : kind === 'xml-too-deep' ? 'error.xml.tooDeep' : 'error.xml.malformed', params), hint);
  }

  private where(offset: number): Msg {
    const { line, column } = lineAndColumn(this.text, offset);
    return msg('error.xml.at', { line: String(line), column: String(column) });
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
  private checkReferences(from: number, to: number, inside: Msg): void {
    const span = this.text.slice(from, to);
    for (let k = span.indexOf('&'); k >= 0; k = span.indexOf('&', k + 1)) {
      const amp = from + k;
      REFERENCE.lastIndex = amp;
      const m = REFERENCE.exec(this.text);
      if (!m || REFERENCE.lastIndex > to) {
        this.fail(amp, msg('error.xml.scan.bareAmp', { inside }), msg('error.xml.scan.bareAmpHint'));
      }
      if (m[1] !== undefined) {
        if (!PREDEFINED.has(m[1])) {
          this.fail(amp, msg('error.xml.scan.undefinedEntity', { entity: `&${m[1]};` }), msg('error.xml.scan.undefinedEntityHint'));
        }
        continue;
      }
      const code = m[2] !== undefined ? parseInt(m[2], 10) : parseInt(m[3]!, 16);
      const ok = code <= 0x10ffff && !FORBIDDEN.test(String.fromCodePoint(code));
      if (!ok) {
        this.fail(amp, msg('error.xml.scan.forbiddenReference', { reference: m[0] }), msg('error.xml.scan.forbiddenReferenceHint'));
      }
    }
  }

  scan(): { nodes: ScannedNode[]; root: ScannedElement } {
    const { text } = this;
    const bad = FORBIDDEN.exec(text);
    if (bad) {
      this.fail(bad.index, msg('error.xml.scan.forbiddenChar', { char: describeChar(bad[0]) }), msg('error.xml.scan.forbiddenCharHint'));
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
      this.fail(open.start, msg('error.xml.scan.neverClosed', { name: open.name }), msg('error.xml.scan.neverClosedHint', { name: open.name }));
    }
    if (!this.root) this.fail(text.length, msg('error.xml.scan.noRoot'), msg('error.xml.scan.noRootHint'));
    return { nodes: this.top, root: this.root };
  }

  private textRun(from: number, to: number): void {
    const { text } = this;
    if (this.stack.length === 0) {
      const end = this.space(from);
      if (end < to) {
        this.fail(end, msg('error.xml.scan.textOutside', { text: quoteSnippet(text.slice(end, to).trim()) }), msg(this.root ? 'error.xml.scan.textAfterHint' : 'error.xml.scan.textBeforeHint'));
      }
    } else {
      const cdataEnd = text.slice(from, to).indexOf(']]>');
      if (cdataEnd >= 0) this.fail(from + cdataEnd, msg('error.xml.scan.cdataEndInText'), msg('error.xml.scan.cdataEndInTextHint'));
      this.checkReferences(from, to, msg('error.xml.scan.inText'));
    }
    this.add({ kind: 'text', start: from, end: to });
    this.i = to;
  }

  private markup(lt: number, first: number): void {
    const { text } = this;
    if (text.startsWith('<!--', lt)) {
      const close = text.indexOf('-->', lt + 4);
      if (close < 0) this.fail(lt, msg('error.xml.scan.commentOpen'), msg('error.xml.scan.commentOpenHint'));
      this.add({ kind: 'comment', start: lt, end: close + 3 });
      this.i = close + 3;
      return;
    }
    if (text.startsWith('<![CDATA[', lt)) {
      if (this.stack.length === 0) this.fail(lt, msg('error.xml.scan.cdataOutside'), msg('error.xml.scan.cdataOutsideHint'));
      const close = text.indexOf(']]>', lt + 9);
      if (close < 0) this.fail(lt, msg('error.xml.scan.cdataOpen'), msg('error.xml.scan.cdataOpenHint'));
      this.add({ kind: 'cdata', start: lt, end: close + 3 });
      this.i = close + 3;
      return;
    }
    if (text.startsWith('<!', lt)) {
      const word = /^<!([A-Za-z]*)/.exec(text.slice(lt, lt + 12))![1]!.toUpperCase();
      if (word === 'DOCTYPE' || word === 'ENTITY' || word === 'ELEMENT' || word === 'ATTLIST' || word === 'NOTATION') {
        this.fail(lt, msg('error.xml.scan.declaration', { word: `<!${word}` }), msg('error.xml.scan.declarationHint'), 'xml-dtd');
      }
      this.fail(lt, msg('error.xml.scan.unknownMarkup', { markup: quoteSnippet(text.slice(lt, lt + 12)) }), msg('error.xml.scan.unknownMarkupHint'));
    }
    if (text.startsWith('<?', lt)) return this.pi(lt, first);
    if (text.startsWith('</', lt)) return this.endTag(lt);
    return this.startTag(lt);
  }

  private pi(lt: number, first: number): void {
    const { text } = this;
    const target = this.name(lt + 2);
    if (!target) this.fail(lt + 2, msg('error.xml.scan.piNoTarget'), msg('error.xml.scan.piNoTargetHint'));
    const after = lt + 2 + target.length;
    const close = text.indexOf('?>', after);
    if (close < 0) this.fail(lt, msg('error.xml.scan.piOpen', { target }), msg('error.xml.scan.piOpenHint'));
    if (close > after && this.space(after) === after) {
      this.fail(after, msg('error.xml.scan.piBadTarget', { target: quoteSnippet(text.slice(lt + 2, close)) }), msg('error.xml.scan.piBadTargetHint'));
    }
    if (target.toLowerCase() === 'xml') {
      if (lt !== first || target !== 'xml') {
        this.fail(lt, msg('error.xml.scan.declarationLate'), msg('error.xml.scan.declarationLateHint'));
      }
      if (!XML_DECLARATION.test(text.slice(lt, close + 2))) {
        this.fail(lt, msg('error.xml.scan.declarationBad', { declaration: quoteSnippet(text.slice(lt, close + 2)) }), msg('error.xml.scan.declarationBadHint'));
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
    if (!name) this.fail(lt, msg('error.xml.scan.endNoName'), msg('error.xml.scan.endNoNameHint'));
    const gt = this.space(lt + 2 + name.length);
    if (text[gt] !== '>') this.fail(gt, msg('error.xml.scan.endUnclosed', { name }), msg('error.xml.scan.endUnclosedHint', { name }));
    const open = this.stack.pop();
    if (!open) {
      this.fail(lt, msg('error.xml.scan.endClosesNothing', { name }), msg('error.xml.scan.endClosesNothingHint'));
    }
    if (open.name !== name) {
      this.fail(lt, msg('error.xml.scan.endMismatch', { name, open: open.name, at: this.where(open.start) }), msg('error.xml.scan.endMismatchHint', { open: open.name }));
    }
    open.closeStart = lt;
    open.end = gt + 1;
    this.i = gt + 1;
  }

  private startTag(lt: number): void {
    const { text } = this;
    const name = this.name(lt + 1);
    if (!name) {
      this.fail(lt, msg('error.xml.scan.ltNoName', { snippet: quoteSnippet(text.slice(lt, lt + 10)) }), msg('error.xml.scan.ltNoNameHint'));
    }
    let at = lt + 1 + name.length;
    let tailStart = at;
    const attrs: ScannedAttr[] = [];
    const seen = new Set<string>();
    for (;;) {
      const ws = at;
      at = this.space(at);
      if (at >= text.length) this.fail(lt, msg('error.xml.scan.startUnended', { name }), msg('error.xml.scan.startUnendedHint'));
      if (text[at] === '>' || text.startsWith('/>', at)) break;
      if (at === ws) this.fail(at, msg('error.xml.scan.noSpace', { snippet: quoteSnippet(text.slice(at, at + 10)), name }), msg('error.xml.scan.noSpaceHint'));
      const attr = this.name(at);
      if (!attr) this.fail(at, msg('error.xml.scan.notAttribute', { snippet: quoteSnippet(text.slice(at, at + 10)), name }), msg('error.xml.scan.notAttributeHint'));
      let eq = this.space(at + attr.length);
      if (text[eq] !== '=') this.fail(eq, msg('error.xml.scan.noValue', { attr, name }), msg('error.xml.scan.writeValueHint', { attr }));
      eq = this.space(eq + 1);
      const q = text[eq];
      if (q !== '"' && q !== "'") this.fail(eq, msg('error.xml.scan.unquoted', { attr, name }), msg('error.xml.scan.writeValueHint', { attr }));
      const close = text.indexOf(q, eq + 1);
      if (close < 0) this.fail(eq, msg('error.xml.scan.valueOpen', { attr, name, quote: q }), msg('error.xml.scan.valueOpenHint', { quote: q }));
      const lt2 = text.slice(eq + 1, close).indexOf('<');
      if (lt2 >= 0) {
        this.fail(eq + 1 + lt2, msg('error.xml.scan.ltInValue', { attr, name }), msg('error.xml.scan.ltInValueHint'));
      }
      this.checkReferences(eq + 1, close, msg('error.xml.scan.inValue', { attr }));
      if (seen.has(attr)) this.fail(at, msg('error.xml.scan.attrTwice', { attr, name }), msg('error.xml.scan.attrTwiceHint'));
      seen.add(attr);
      attrs.push({ name: attr, lead: text.slice(ws, at), text: text.slice(at, close + 1) });
      at = close + 1;
      tailStart = at;
    }
    const selfClosing = text[at] === '/';
    const openEnd = at + (selfClosing ? 2 : 1);
    if (this.stack.length === 0) {
      if (this.root) {
        this.fail(lt, msg('error.xml.scan.secondRoot', { name, root: this.root.name, at: this.where(this.root.start) }), msg('error.xml.scan.secondRootHint'));
      }
    }
    if (this.stack.length >= MAX_DEPTH) {
      this.fail(lt, msg('error.xml.scan.tooDeep', { name, depth: String(MAX_DEPTH) }), msg('error.xml.scan.tooDeepHint', { depth: String(MAX_DEPTH) }), 'xml-too-deep');
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
