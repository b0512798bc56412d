import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { batch, BATCH_SEPARATOR, parseInfoAndXml, splitStartAndRead } from '../../main/libvirt/batch';
import { virshCommand, virshQuote } from '../../main/libvirt/virsh';
import { isExistingVmName } from '../../main/cli/vm';
import { vmName } from '../../shared/schemas';

// Outputs as libvirt 9.0's virsh prints them (C locale) for the batches Play runs:
// `dominfo; echo SEP; dumpxml --inactive` with --quiet, `start; echo SEP; dumpxml` without.
const DOMINFO = `Id:             -
Name:           it's; odd
UUID:           a07b9e89-3925-46ec-a343-82e548fcd6fa
OS Type:        hvm
State:          shut off
CPU(s):         1
Persistent:     yes
Autostart:      disable
Security model: none
Security DOI:   0
`;
const XML = `<domain type='qemu'>\n  <name>it's; odd</name>\n</domain>\n`;
const LIVE = `<domain type='qemu' id='5'>\n  <name>it's; odd</name>\n</domain>\n`;

describe('virshQuote / virshCommand', () => {
  it("quotes as virsh's parser reads: a quote inside closes, is escaped, reopens", () => {
    expect(virshQuote("it's; odd")).toBe(`'it'\\''s; odd'`);
    expect(virshCommand(['dominfo', '--domain', 'plain'])).toBe('dominfo --domain plain');
    expect(virshCommand(['dumpxml', '--domain', 'win 11 #2'])).toBe(`dumpxml --domain 'win 11 #2'`);
    expect(() => virshQuote('a\nb')).toThrow(/line break/);
  });

  // virsh's own `echo` prints its arguments as its parser read them (no connection needed).
  const virsh = spawnSync('virsh', ['--version']).status === 0;
  it.skipIf(!virsh)('virsh reads every quoted name back as it was', () => {
    const names = [`it's; odd`, `a "b" \\ c`, `#not a comment`, `  spaces  `, `semi;colon`, `ünï ✓`, `$HOME \`x\``];
    for (const name of names) {
      const out = spawnSync('virsh', ['--quiet', '--connect', 'test:///default', `echo ${virshQuote(name)}; echo ${BATCH_SEPARATOR}`], { encoding: 'utf8' });
      expect(out.stdout).toBe(`${name}${BATCH_SEPARATOR}`);
    }
    // After --domain, a name that looks like an option is still the name (as in an argv).
    const dash = spawnSync('virsh', ['--quiet', '--connect', 'test:///default', virshCommand(['dominfo', '--domain', '--looks-like-an-option'])], { encoding: 'utf8' });
    expect(dash.stderr).toContain("failed to get domain '--looks-like-an-option'");
  });
});

describe('parseInfoAndXml', () => {
  it('reads the summary and the XML, byte for byte, from one run', () => {
    const read = parseInfoAndXml({ stdout: `${DOMINFO}${BATCH_SEPARATOR}${XML}`, stderr: '', code: 0 });
    expect(read).toMatchObject({ summary: { name: "it's; odd", state: 'shut-off', persistent: true }, xml: XML });
  });

  it('gives up (the caller asks each alone) on any error or odd output', () => {
    expect(parseInfoAndXml({ stdout: BATCH_SEPARATOR, stderr: "error: failed to get domain 'x'\n", code: 1 })).toBeNull();
    // dominfo failed but the dumpxml did not: exit 0, an error on stderr.
    expect(parseInfoAndXml({ stdout: `${BATCH_SEPARATOR}${XML}`, stderr: 'error: something\n', code: 0 })).toBeNull();
    expect(parseInfoAndXml({ stdout: '', stderr: 'error: failed to connect to the hypervisor\n', code: 1 })).toBeNull();
    expect(parseInfoAndXml({ stdout: `${DOMINFO}${BATCH_SEPARATOR}not xml`, stderr: '', code: 0 })).toBeNull();
    expect(parseInfoAndXml({ stdout: `garbage${BATCH_SEPARATOR}${XML}`, stderr: '', code: 0 })).toBeNull();
  });

  it('builds the command line it parses', () => {
    expect(batch(['dominfo', '--domain', "it's"], ['dumpxml', '--domain', "it's"])).toBe(`dominfo --domain 'it'\\''s'; echo ${BATCH_SEPARATOR}; dumpxml --domain 'it'\\''s'`);
  });
});

describe('splitStartAndRead', () => {
  it('a good start: the live XML as dumpxml alone prints it (no trailing empty line)', () => {
    const out = splitStartAndRead({ stdout: `Domain 'it's; odd' started\n\n${BATCH_SEPARATOR}\n${LIVE}\n`, stderr: '', code: 0 });
    expect(out).toEqual({ liveXml: LIVE });
  });

  it('a failed start (dumpxml fine, exit 0): the start failed with exactly its stderr, as exit 1', () => {
    const stderr = "error: Failed to start domain 'x'\nerror: internal error: qemu unexpectedly closed the monitor\n";
    expect(splitStartAndRead({ stdout: `${BATCH_SEPARATOR}\n${XML}\n`, stderr, code: 0 })).toEqual({ startFailed: { stderr, code: 1 } });
    // Already running (a race with another start): an error although the XML is live.
    expect(splitStartAndRead({ stdout: `${BATCH_SEPARATOR}\n${LIVE}\n`, stderr: 'error: Domain is already active\n', code: 0 })).toHaveProperty('startFailed');
  });

  it('nothing ran (no connection): a start failure with its code', () => {
    const stderr = 'error: failed to connect to the hypervisor\n';
    expect(splitStartAndRead({ stdout: '', stderr, code: 1 })).toEqual({ startFailed: { stderr, code: 1 } });
  });

  it('started, then the dumpxml failed: a read failure, the VM is running', () => {
    const stderr = 'error: End of file while reading data\n';
    expect(splitStartAndRead({ stdout: `Domain 'x' started\n\n${BATCH_SEPARATOR}\n`, stderr, code: 1 })).toEqual({ readFailed: { stderr, code: 1 } });
  });
});

describe('isExistingVmName', () => {
  it('answers as the vmName schema does', () => {
    const names = ['win11', '', 'a'.repeat(200), 'a'.repeat(201), 'a/b', 'tab\there', 'new\nline', 'del\u007f', "it's; odd", ' ', 'ünï ✓', '\u0085next', '\u200bzero-width'];
    for (const name of names) expect(isExistingVmName(name), JSON.stringify(name)).toBe(vmName.safeParse(name).success);
  });
});
