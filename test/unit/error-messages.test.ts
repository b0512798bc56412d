import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { ErrorInfo } from '../../shared/api';
import en from '../../shared/i18n/en.json';
import fr from '../../shared/i18n/fr.json';
import { formatMessage, isMsg, templateOf, type Msg, type MsgValue } from '../../shared/i18n/message';
import { toErrorInfo, VitrineError } from '../../main/common/errors';
import { parsePciAddress } from '../../main/common/pci-address';
import { classifyLine } from '../../main/lookingglass/classify';
import { describeClient } from '../../main/lookingglass/client';
import { mismatchAdvice, mismatchAdviceMsg, rulesFor } from '../../shared/lg-release';
import { english } from '../../main/common/text';
import type { HostTopology } from '../../main/host/cpu-topology';
import { addUsbDevice, hideHypervisor, setShmem } from '../../main/libvirt/edits';
import { hugepageVerdict, requireHugepages } from '../../main/libvirt/hugepages';
import { planPinning } from '../../main/libvirt/pinning';
import { classifyVirshFailure, virshErrorLines } from '../../main/libvirt/virsh-errors';
import { virshMissing } from '../../main/libvirt/virsh';
import { parseDomainXml, parseXml } from '../../main/libvirt/xml/document';
import { checkIds } from '../../main/setup/kernel-args';
import { parseGrubDefault } from '../../main/setup/grub-default';
import { EXIT } from '../../main/setup/helper/codes';
import { explainHelperExit } from '../../main/setup/service';
import { planReasonMsg, undoReasonMsg, Warnings } from '../../main/setup/plan-text';
import { inverseCommand, planUndo, type UndoSource } from '../../main/setup/undo';
import { planScenario, planScenarios, recordOfPlan } from '../support/plan-scenarios';

/**
 * Every error the services can throw reaches the UI as catalogue keys
 * (`ErrorInfo.msg`), so the French UI never falls back on the English text:
 * - statically: outside the CLI, every error made in main/ carries `msg`, and
 *   every key main/ and shared/ name exists in both catalogues;
 * - at run time: the errors of the classifiers, planners, parsers and edits,
 *   each with its keys in both catalogues, the English unchanged for the CLI,
 *   and a French text that is French.
 */

type Tree = { [key: string]: string | Tree };
const root = join(import.meta.dirname, '..', '..');
const flatten = (tree: Tree, prefix = ''): Map<string, string> =>
  new Map(Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [[`${prefix}${k}`, v] as [string, string]] : [...flatten(v, `${prefix}${k}.`)])));
const EN = flatten(en as Tree);
const FR = flatten(fr as Tree);
const has = (catalogue: Map<string, string>, key: string): boolean => catalogue.has(key) || catalogue.has(`${key}_one`) || catalogue.has(`${key}_other`);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The CLI speaks English only (its errors never reach the UI); the root helper explains itself through its exit code. */
const SERVICE_FILES = sources(join(root, 'main')).filter((f) => !/main\/(cli|setup\/helper)\//.test(f));

/** `new VitrineError(x)` where x is not an object literal: an ErrorInfo made elsewhere, each with its reason. */
const PASSED_ON: Record<string, string> = {
  'main/lookingglass/service.ts: info.client.problem': 'the client check (lookingglass/client.ts) makes every problem with errorInfo()',
};

function walk(node: ts.Node, visit: (node: ts.Node) => void): void {
  visit(node);
  node.forEachChild((child) => walk(child, visit));
}

const propertyNames = (object: ts.ObjectLiteralExpression): string[] =>
  object.properties.flatMap((p) => (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p) || ts.isMethodDeclaration(p)) && p.name && ts.isIdentifier(p.name) ? [p.name.text] : []);

describe('errors carry catalogue keys (static)', () => {
  it('outside the CLI, every error and every problem made in main/ carries its message as keys', () => {
    const missing: string[] = [];
    for (const file of SERVICE_FILES) {
      const text = readFileSync(file, 'utf8');
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
      const where = (node: ts.Node): string => `${relative(root, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
      walk(source, (node) => {
        if (ts.isNewExpression(node) && node.expression.getText() === 'VitrineError') {
          const arg = node.arguments?.[0];
          if (!arg || !ts.isObjectLiteralExpression(arg)) {
            const key = `${relative(root, file)}: ${arg?.getText() ?? ''}`;
            if (!PASSED_ON[key]) missing.push(`${where(node)}: new VitrineError(${arg?.getText() ?? ''}) passes on an ErrorInfo without saying where its keys come from`);
          }
        }
        // { message, hint } (an ErrorInfo) or { message, fix } (a Looking Glass memory problem) with English strings: msg too.
        // (The `msg: { message, hint }` value itself is the keys.)
        const isKeys = ts.isPropertyAssignment(node.parent ?? node) && (node.parent as ts.PropertyAssignment).name.getText() === 'msg';
        if (ts.isObjectLiteralExpression(node) && !isKeys) {
          const names = propertyNames(node);
          const spreadsMsg = node.properties.some((p) => ts.isSpreadAssignment(p) && /\bmsg\b|errorInfo\(|\.toInfo\(\)/.test(p.getText()));
          if (names.includes('message') && (names.includes('hint') || names.includes('fix')) && !names.includes('msg') && !spreadsMsg) {
            missing.push(`${where(node)}: ${node.getText().slice(0, 100)}`);
          }
        }
      });
    }
    expect(missing).toEqual([]);
  });

  it('an error the renderer makes itself in English carries its keys too (the page is in the user\'s language)', () => {
    const missing: string[] = [];
    for (const file of sources(join(root, 'renderer', 'src'))) {
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      walk(source, (node) => {
        if (!ts.isObjectLiteralExpression(node)) return;
        const english = node.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === 'message' && (ts.isStringLiteral(p.initializer) || ts.isTemplateExpression(p.initializer) || ts.isNoSubstitutionTemplateLiteral(p.initializer)));
        if (english && propertyNames(node).includes('hint') && !propertyNames(node).includes('msg')) {
          missing.push(`${relative(root, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${english.getText().slice(0, 80)}`);
        }
      });
    }
    expect(missing).toEqual([]);
  });

  it('every key main/ and shared/ give msg() exists in English and in French', () => {
    const problems: string[] = [];
    const files = [...SERVICE_FILES, ...sources(join(root, 'shared'))];
    let literal = 0;
    let patterns = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
      // `const P = 'pinning.'`: string constants a template key may start with.
      const constants = new Map<string, string>();
      walk(source, (node) => {
        if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && ts.isStringLiteral(node.initializer)) constants.set(node.name.text, node.initializer.text);
      });
      walk(source, (node) => {
        if (!ts.isCallExpression(node) || node.expression.getText() !== 'msg' || node.arguments.length === 0) return;
        const arg = node.arguments[0]!;
        const where = `${relative(root, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
        if (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) {
          literal++;
          if (!has(EN, arg.text)) problems.push(`${where}: ${arg.text} is not in en.json`);
          if (!has(FR, arg.text)) problems.push(`${where}: ${arg.text} is not in fr.json`);
        } else if (ts.isTemplateExpression(arg)) {
          patterns++;
          // Each ${…} is a constant's text or a word; at least one key of each catalogue must fit.
          const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          let pattern = escape(arg.head.text);
          for (const span of arg.templateSpans) {
            const known = ts.isIdentifier(span.expression) ? constants.get(span.expression.text) : undefined;
            pattern += (known !== undefined ? escape(known) : '[\\w-]+') + escape(span.literal.text);
          }
          const re = new RegExp(`^${pattern}(_(one|other))?$`);
          if (![...EN.keys()].some((k) => re.test(k))) problems.push(`${where}: no English key fits ${arg.getText()}`);
          if (![...FR.keys()].some((k) => re.test(k))) problems.push(`${where}: no French key fits ${arg.getText()}`);
        } else if (!ts.isConditionalExpression(arg) && !ts.isIdentifier(arg)) {
          problems.push(`${where}: msg(${arg.getText()}) is neither a key nor a key pattern`);
        }
      });
    }
    expect(problems).toEqual([]);
    // The scan found the keys (it would pass on nothing otherwise).
    expect(literal).toBeGreaterThan(300);
    expect(patterns).toBeGreaterThan(10);
  });
});

/** Every key inside a message (nested values too). */
function keysOf(message: Msg): string[] {
  const values = Object.values(message.params ?? {}).flatMap((v: MsgValue) => (Array.isArray(v) ? v : isMsg(v) ? [v] : []));
  return [message.key, ...values.flatMap(keysOf)];
}

const french = (message: Msg): string => formatMessage(fr as Tree, 'fr', message);

/** What a French reader would call English: two words only the English catalogue uses. */
const WORDS = (text: string): string[] => (text.match(/[A-Za-zÀ-ÿ'’]+/g) ?? []).map((w) => w.toLowerCase());
const FRENCH_WORDS = new Set([...FR.values()].flatMap(WORDS));
const ENGLISH_ONLY = new Set([...EN.values()].flatMap(WORDS).filter((w) => w.length > 2 && !FRENCH_WORDS.has(w)));

/**
 * An error as the UI receives it: keys in both catalogues, the English text
 * the CLI prints unchanged (the message, unless `verbatim`: a tool's own line),
 * a French text with no placeholder left and no English words of ours.
 */
function expectTranslated(error: unknown, options: { verbatim?: boolean } = {}): ErrorInfo {
  const info = toErrorInfo(error);
  expect(info.msg, `${info.kind}: ${info.message}`).toBeDefined();
  const { message, hint } = info.msg!;
  for (const key of [...keysOf(message), ...keysOf(hint)]) {
    expect(has(EN, key), `${key} in en.json`).toBe(true);
    expect(has(FR, key), `${key} in fr.json`).toBe(true);
  }
  if (!options.verbatim) expect(english(message)).toBe(info.message);
  expect(english(hint)).toBe(info.hint);
  for (const m of [message, hint]) {
    const text = french(m);
    expect(text, m.key).not.toMatch(/\{\{|\b[a-z]+(\.[a-zA-Z]+){2,}\b/);
    expect(templateOf(fr as Tree, 'fr', m.key, undefined) ?? templateOf(fr as Tree, 'fr', m.key, 2), m.key).not.toBe(templateOf(en as Tree, 'en', m.key, undefined) ?? templateOf(en as Tree, 'en', m.key, 2));
    // Tool output quoted in a message (virsh's, xorriso's) may be English; the rest is ours and French.
    const quoted = Object.values(m.params ?? {}).filter((v): v is string => typeof v === 'string').join(' ');
    const english = WORDS(text).filter((w) => ENGLISH_ONLY.has(w) && !WORDS(quoted).includes(w));
    expect(english, `${m.key}: ${text}`).toEqual([]);
  }
  return info;
}

const thrown = (work: () => unknown): unknown => {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
};

const topology = (cores: number, smt: number, groups: number): HostTopology => ({
  vendor: 'amd',
  cpus: Array.from({ length: cores * smt }, (_, i) => {
    const core = i % cores;
    const perGroup = cores / groups;
    return { id: i, pkg: 0, die: 0, core, l3: Math.floor(core / perGroup) * perGroup, node: 0 };
  }),
});

describe('errors carry catalogue keys (run time)', () => {
  it('virsh failures: connection, the known start failures, a missing domain, anything else', () => {
    const cases = [
      "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory",
      'error: failed to connect to the hypervisor\nerror: no connection driver available for foo:///x',
      "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied",
      'error: failed to connect to the hypervisor\nerror: Failed to connect to system bus',
      'error: failed to connect to the hypervisor\nerror: something else',
      "error: Failed to start domain 'w'\nerror: invalid argument: Domain requires KVM, but it is not available",
      "error: Failed to start domain 'w'\nerror: unsupported configuration: host doesn't support passthrough of host PCI devices",
      "error: Failed to start domain 'w'\nerror: internal error: qemu unexpectedly closed the monitor: vfio 0000:01:00.0: group 1 is not viable",
      "error: Failed to start domain 'w'\nerror: Could not find matching device",
      "error: Failed to start domain 'w'\nerror: can't open backing store /dev/shm/looking-glass for guest RAM: Permission denied",
      "error: Failed to start domain 'w'\nerror: Cannot access storage file '/x.qcow2': Permission denied",
      "error: failed to get domain 'gone'",
      "error: Failed to start domain 'w'\nerror: internal error: something new",
      '',
    ];
    const kinds = new Set<string>();
    for (const stderr of cases) kinds.add(expectTranslated(classifyVirshFailure('qemu:///system', ['start', 'w'], stderr, 1)).kind);
    expect(kinds.size).toBeGreaterThanOrEqual(9);
    expect(virshErrorLines(cases[0]!)).toHaveLength(2);
    expectTranslated(virshMissing('virsh'));
  });

  it('the root helper: every exit code it or pkexec can give', () => {
    const codes = [...Object.values(EXIT).filter((c) => c !== 0), 99];
    for (const code of codes) {
      const info = expectTranslated(explainHelperExit(code, `some output\n/etc/default/grub changed since the plan\n`), { verbatim: true });
      expect(info.kind).not.toBe('');
    }
    // The password prompt dismissed: our words in both, nothing of the helper's.
    expect(expectTranslated(explainHelperExit(EXIT.cancelled, '')).message).toMatch(/dismissed/);
  });

  it('file system failures and the unexpected ones', () => {
    for (const code of ['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'EMFILE']) {
      expectTranslated(Object.assign(new Error('x'), { code, path: '/home/u/.config/vitrine/settings.json' }));
    }
    expectTranslated(Object.assign(new Error('x'), { code: 'ENOSPC' }));
    expectTranslated(new Error('boom'), { verbatim: false });
  });

  it('malformed XML, each way the scanner refuses it', () => {
    const bad = [
      '',
      '<domain>',
      '<domain/><x/>',
      '<domain/>text',
      'text<domain/>',
      '<domain>a & b</domain>',
      '<domain>&nbsp;</domain>',
      '<domain>&#0;</domain>',
      '<domain>\u0001</domain>',
      '<domain>]]></domain>',
      '<domain><!-- open</domain>',
      '<![CDATA[x]]><domain/>',
      '<domain><![CDATA[open</domain>',
      '<!DOCTYPE domain><domain/>',
      '<domain><!FOO></domain>',
      '<domain><? x?></domain>',
      '<domain><?pi open</domain>',
      '<domain><?a"b?></domain>',
      '\n<?xml version="1.0"?><domain/>',
      '<?xml version=1?><domain/>',
      '<domain></></domain>',
      '<domain></domain',
      '<domain></x></domain>',
      '<domain><a></b></domain>',
      '<domain>< a/></domain>',
      '<domain a="1"',
      '<domain a="1"b="2"/>',
      '<domain "x"/>',
      '<domain a/>',
      '<domain a=1/>',
      '<domain a="1/>',
      '<domain a="<"/>',
      '<domain a="1" a="2"/>',
      `${'<a>'.repeat(300)}${'</a>'.repeat(300)}`,
      '<network/>',
    ];
    const kinds = new Set<string>();
    for (const text of bad) {
      const info = expectTranslated(thrown(() => parseDomainXml(text)));
      kinds.add(info.kind);
    }
    expect([...kinds].sort()).toEqual(['xml-dtd', 'xml-empty', 'xml-malformed', 'xml-not-domain', 'xml-too-deep']);
    // A file's name is itself; the default name is in words.
    expect(french(toErrorInfo(thrown(() => parseXml('<a>', "'/tmp/x.xml'"))).msg!.message)).toContain("'/tmp/x.xml'");
  });

  it('edits, PCI addresses and ids, the boot configuration', () => {
    const doc = parseDomainXml("<domain type='kvm'><name>w</name><features><hyperv mode='passthrough'/></features><devices/></domain>");
    expectTranslated(thrown(() => setShmem(doc, 33)));
    expectTranslated(thrown(() => hideHypervisor(doc, 'b', 'bad id!')));
    expectTranslated(thrown(() => hideHypervisor(doc, 'b')));
    expectTranslated(thrown(() => addUsbDevice(doc, 'logitech')));
    expectTranslated(thrown(() => parsePciAddress('01:00')));
    expectTranslated(thrown(() => checkIds(['10DE:2206'])));
    expectTranslated(thrown(() => checkIds(['10de:2206', '10de:2206'])));
    for (const grub of ['A=1\r\n', 'GRUB_CMDLINE_LINUX_DEFAULT="a"', 'GRUB_CMDLINE_LINUX_DEFAULT="$x"\n', 'GRUB_CMDLINE_LINUX_DEFAULT="a\n', 'GRUB_CMDLINE_LINUX_DEFAULT=a b\n', 'GRUB_CMDLINE_LINUX_DEFAULT=""\nGRUB_CMDLINE_LINUX_DEFAULT=""\n', 'GRUB_CMDLINE_LINUX=""\nGRUB_CMDLINE_LINUX=""\n']) {
      expectTranslated(thrown(() => parseGrubDefault(grub)));
    }
  });

  it('hugepages the host cannot give', () => {
    const info = { memTotalKiB: 32 * 1024 * 1024, memAvailableKiB: 30 * 1024 * 1024, defaultSizeKiB: 2048, pools: [{ sizeKiB: 2048, total: 0, free: 0 }, { sizeKiB: 1048576, total: 0, free: 0 }] };
    expectTranslated(thrown(() => requireHugepages(info, 16384)));
    expectTranslated(thrown(() => requireHugepages(info, 31 * 1024)));
    expectTranslated(thrown(() => requireHugepages(null, 1024)));
    expectTranslated(thrown(() => requireHugepages({ ...info, pools: [] }, 1024)));
    const verdict = hugepageVerdict(info, 16384);
    expect(verdict.ok === false && french(verdict.why)).toMatch(/pages de 2 Mio libres sur 0, 0 pages de 1 Gio libres sur 0/);
  });

  it('CPU pinning: refusals, and every line and note of a plan in French', () => {
    expectTranslated(thrown(() => planPinning(topology(1, 2, 1))));
    expectTranslated(thrown(() => planPinning(topology(8, 2, 1), { cpus: [99] })));
    expectTranslated(thrown(() => planPinning(topology(8, 2, 1), { cpus: [4] })));
    expectTranslated(thrown(() => planPinning(topology(8, 2, 2), { cpus: [0, 1, 2, 3, 8, 9, 10, 11] })));
    for (const [host, request] of [
      [topology(8, 2, 1), { vcpus: 5 }],
      [topology(16, 2, 2), { vcpus: 64 }],
      [topology(16, 1, 2), { vcpus: 12 }],
      [{ ...topology(8, 2, 1), cpus: topology(8, 2, 1).cpus.map((c) => ({ ...c, node: c.core < 4 ? 0 : 1 })) }, { gpuNode: 1 }],
    ] as const) {
      const plan = planPinning(host, request);
      expect(plan.reasons.length).toBeGreaterThan(5);
      for (const r of plan.reasons) {
        expect(english(r.reasonMsg)).toBe(r.reason);
        const text = french(r.reasonMsg);
        expect(text).not.toBe(r.reason);
        expect(WORDS(text).filter((w) => ENGLISH_ONLY.has(w)), text).toEqual([]);
      }
      expect(plan.notesMsg.map(english)).toEqual(plan.notes);
      for (const n of plan.notesMsg) expect(WORDS(french(n)).filter((w) => ENGLISH_ONLY.has(w)), french(n)).toEqual([]);
    }
    // Plurals by the language's rules: one core, one sibling.
    const one = planPinning(topology(2, 2, 1), { vcpus: 2 });
    expect(one.reasons.map((r) => french(r.reasonMsg)).join('\n')).toMatch(/1 cœur entier avec ses 2 threads SMT/);
    expect(one.reasons.map((r) => french(r.reasonMsg)).join('\n')).toMatch(/son jumeau \d+ dans le même cœur invité/);
  });

  it('the Looking Glass client: the release notes and the version warning beside it', () => {
    for (const release of [null, 'B9', 'B8-rc9', 'B6', 'not-a-release', 'B7']) {
      const rules = rulesFor(release);
      expect(rules.noteMsg === null, String(release)).toBe(rules.note === null);
      if (rules.noteMsg) expect(english(rules.noteMsg)).toBe(rules.note);
      const client = describeClient('/usr/bin/looking-glass-client', release, 1000, null);
      expect(client.warningMsg === null, String(release)).toBe(client.warning === null);
      if (client.warningMsg) {
        expect(english(client.warningMsg)).toBe(client.warning);
        expect(WORDS(french(client.warningMsg)).filter((w) => ENGLISH_ONLY.has(w)), french(client.warningMsg)).toEqual([]);
      }
    }
  });

  it('what the running client said, as the VM page shows it', () => {
    const lines = [
      'Waiting for the host application to start...',
      'Check the host log in your guest at %ProgramData%\\Looking Glass (host)\\looking-glass-host.txt',
      'Recommend increase size to 64 MiB',
      'The host application is not compatible with this client',
      'Failed to open: /dev/shm/looking-glass',
      ' Error: Invalid path to the ivshmem file specified',
      'No display servers available, tried:',
      'Failed to connect to spice server',
      'Host ready, reported version: B7',
    ];
    for (const line of lines) {
      const meaning = classifyLine(`[E] main.c:1 | main | ${line}`);
      expect(meaning.messageMsg, line).not.toBeNull();
      expect(english(meaning.messageMsg!)).toBe(meaning.message);
      expect(WORDS(french(meaning.messageMsg!)).filter((w) => ENGLISH_ONLY.has(w)), french(meaning.messageMsg!)).toEqual([]);
    }
    for (const release of ['B7', 'B8', 'B7-rc1']) {
      expect(english(mismatchAdviceMsg(release))).toBe(mismatchAdvice(release));
      expect(WORDS(french(mismatchAdviceMsg(release))).filter((w) => ENGLISH_ONLY.has(w)), release).toEqual([]);
    }
  });

  it('a VitrineError made from keys keeps the English for the CLI', () => {
    const error = VitrineError.of('busy', { key: 'lgError.busy', params: { name: 'win11' } }, { key: 'error.waitHint' });
    expect(error.message).toBe('Vitrine is already starting or stopping win11.');
    expect(french(error.msg!.message)).toBe('Vitrine est déjà en train de démarrer ou d’arrêter win11.');
  });
});

/** Every string value inside a message (nested ones too): paths, argv, addresses, names — quoted as they are. */
function quotedOf(message: Msg): string[] {
  return Object.values(message.params ?? {}).flatMap((v: MsgValue) => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.flatMap(quotedOf) : isMsg(v) ? quotedOf(v) : []));
}

/** Numbers as the English texts write them (4096) and as a message's English renders them (4,096). */
const digits = (text: string): string => text.replace(/(\d),(?=\d{3}\b)/g, '$1');

/**
 * A text of a plan as the UI receives it: a message beside the English, its
 * keys in both catalogues, its English exactly the text the CLI prints, and
 * a French text that is French (the quoted paths, argv and names aside).
 */
function expectSaid(text: string, message: Msg | null | undefined, where: string): void {
  expect(message, `${where}: no message for “${text}”`).toBeTruthy();
  for (const key of keysOf(message!)) {
    expect(has(EN, key), `${where}: ${key} in en.json`).toBe(true);
    expect(has(FR, key), `${where}: ${key} in fr.json`).toBe(true);
  }
  expect(digits(english(message!)), where).toBe(text);
  const inFrench = french(message!);
  expect(inFrench, where).not.toMatch(/\{\{/);
  const quoted = quotedOf(message!).flatMap(WORDS);
  expect(WORDS(inFrench).filter((w) => ENGLISH_ONLY.has(w) && !quoted.includes(w)), `${where}: ${inFrench}`).toEqual([]);
}

describe('host preparation plans speak the UI’s language (every fixture family and request kind)', () => {
  const SETUP_FILES = sources(join(root, 'main', 'setup')).filter((f) => !f.includes('/helper/'));

  it('statically: every planned step’s reason has its message, and every warning goes through Warnings', () => {
    const missing: string[] = [];
    for (const file of SETUP_FILES) {
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const where = (node: ts.Node): string => `${relative(root, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
      walk(source, (node) => {
        if (ts.isObjectLiteralExpression(node)) {
          const names = propertyNames(node);
          const step = node.properties.some((p) => ts.isPropertyAssignment(p) && p.name.getText() === 'kind' && /^'(run|write)'/.test(p.initializer.getText()));
          const spreadsMsg = node.properties.some((p) => ts.isSpreadAssignment(p) && /reasonMsg|said\(|\bwhy\b/.test(p.getText()));
          if (step && names.includes('reason') && !names.includes('reasonMsg') && !spreadsMsg) missing.push(`${where(node)}: ${node.getText().slice(0, 100)}`);
        }
        if (ts.isCallExpression(node) && /\bwarnings\.push$/.test(node.expression.getText())) missing.push(`${where(node)}: ${node.getText().slice(0, 100)}`);
        if (ts.isParameter(node) && node.name.getText() === 'warnings' && node.type?.getText() === 'string[]') missing.push(`${where(node)}: warnings as bare strings`);
      });
    }
    expect(missing).toEqual([]);
  });

  it('at run time: the plan’s reason, each step’s and each warning, then the undo’s, in both languages', async () => {
    const scenarios = planScenarios();
    const seen = { steps: 0, warnings: 0, undoSteps: 0, undoWarnings: 0, kinds: new Set<string>() };
    for (const scenario of scenarios) {
      const plan = await planScenario(scenario);
      const at = scenario.name;
      expectSaid(plan.reason, plan.reasonMsg, `${at}: the plan`);
      for (const step of plan.steps) expectSaid(step.reason, step.reasonMsg, `${at}: ${step.kind === 'run' ? step.argv.join(' ') : step.path}`);
      expect(plan.warningMsgs?.length ?? 0, at).toBe(plan.warnings.length);
      plan.warnings.forEach((w, i) => expectSaid(w, plan.warningMsgs![i], `${at}: warning ${i}`));
      seen.steps += plan.steps.length;
      seen.warnings += plan.warnings.length;
      plan.steps.forEach((s) => s.reasonMsg && keysOf(s.reasonMsg).forEach((k) => seen.kinds.add(k)));
      plan.warningMsgs?.forEach((m) => m && seen.kinds.add(m.key));
      // Its undo, from the helper's record of it, and from an older record without its commands.
      const record = recordOfPlan(plan);
      for (const undo of [planUndo(record), planUndo({ ...record, commands: undefined, inverses: undefined })]) {
        expectSaid(undo.reason, undo.reasonMsg, `${at}: the undo`);
        for (const step of undo.steps) expectSaid(step.reason, step.reasonMsg, `${at}: undo ${step.kind === 'run' ? step.argv.join(' ') : step.path}`);
        expect(undo.warningMsgs?.length ?? 0, at).toBe(undo.warnings.length);
        undo.warnings.forEach((w, i) => expectSaid(w, undo.warningMsgs![i], `${at}: undo warning ${i}`));
        seen.undoSteps += undo.steps.length;
        seen.undoWarnings += undo.warnings.length;
        undo.warningMsgs?.forEach((m) => m && seen.kinds.add(m.key));
        undo.steps.forEach((s) => s.reasonMsg && seen.kinds.add(s.reasonMsg.key));
      }
    }
    // The scenarios reach every kind of step and warning the planners write (it would pass on nothing otherwise).
    expect(scenarios.length).toBeGreaterThan(50);
    expect(seen.steps).toBeGreaterThan(300);
    expect(seen.warnings).toBeGreaterThan(40);
    expect(seen.undoWarnings).toBeGreaterThan(20);
    // Every step and warning of the catalogue's plan words is met (the undo of a command Vitrine does not know: the next test).
    const unseen = (prefix: string): string[] => [...EN.keys()].map((k) => k.replace(/_(one|other)$/, '')).filter((k) => k.startsWith(prefix) && !seen.kinds.has(k));
    expect([...new Set([...unseen('prepare.step.'), ...unseen('prepare.warn.'), ...unseen('changes.step.'), ...unseen('changes.warn.')])]).toEqual(['changes.warn.unknownCommand', 'changes.warn.unknownInverse']);
  }, 300_000);

  it('the undo’s own warnings: a command it does not know, an inverse it does not know', () => {
    const warnings = new Warnings();
    expect(inverseCommand(['something-else', '--x'], warnings)).toBeNull();
    const source: UndoSource = { id: 'x', reason: 'Allow unsafe interrupts.', files: [], created: [], planned: {}, commands: [['something-else']], inverses: [['sysctl', '-w', 'kernel.x=1']] };
    const undo = planUndo(source);
    expect(undo.warnings).toHaveLength(2);
    undo.warnings.forEach((w, i) => expectSaid(w, undo.warningMsgs![i], `warning ${i}`));
    warnings.texts.forEach((w, i) => expectSaid(w, warnings.msgs[i], `inverse warning ${i}`));
    // One page: the singular, in both languages.
    const one = planUndo({ ...source, commands: [], inverses: [['sysctl', '-w', 'vm.nr_hugepages=1']] });
    expectSaid(one.steps[0]!.reason, one.steps[0]!.reasonMsg, 'one page back');
    expect(one.steps[0]!.reason).toContain('back to 1 page,');
  });

  it('a plan’s reason read back from its English, for change sets and their undo; none for a text of another version', () => {
    const text = 'Bind 0000:01:00.0 and 0000:01:00.1 to vfio-pci.';
    expect(french(planReasonMsg(text)!)).toBe('Attacher 0000:01:00.0 et 0000:01:00.1 à vfio-pci.');
    const many = 'Bind 0000:01:00.0, 0000:01:00.1 to vfio-pci, give alice access to Looking Glass memory, let KVM ignore unhandled MSRs and reserve 4096 hugepages of 2 MiB (8 GiB).';
    expect(french(planReasonMsg(many)!)).toBe(
      'Attacher 0000:01:00.0, 0000:01:00.1 à vfio-pci, donner à alice l’accès à la mémoire Looking Glass, laisser KVM ignorer les MSR qu’il ne gère pas et réserver 4\u202f096 hugepages de 2 Mio (8 Gio).',
    );
    expect(french(undoReasonMsg(many, `Undo: b${many.slice(1)}`)!)).toMatch(/^Annuler : attacher 0000:01:00\.0, 0000:01:00\.1 à vfio-pci, .* et réserver 4\u202f096 hugepages de 2 Mio \(8 Gio\)\.$/);
    expect(french(planReasonMsg('Nothing asked.')!)).toBe('Rien n’est demandé.');
    for (const other of ['Bind the card.', 'bind 0000:01:00.0 to vfio-pci', 'Bind 0000:01:00.0 to vfio-pci and paint it red.', 'R.', '']) expect(planReasonMsg(other), other).toBeNull();
    expect(undoReasonMsg('Bind 0000:01:00.0 to vfio-pci.', 'Undo: something else.')).toBeNull();
  });
});
