import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { readIsoInfo } from '../../main/libvirt/iso';
import { buildAnswerFile, computerName, encodeUnattendPassword, isoLanguage, localeFromHost, virtioDriverDirs } from '../../main/libvirt/unattend';
import { buildUnattendIso, checkVirtioIso, listIso, missingVirtioParts, UNATTEND_LABEL, unattendIsoPath } from '../../main/libvirt/unattend-iso';
import { unattendedInstall } from '../../shared/schemas';
import { expectGolden } from '../support/golden';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'unattend');
const scratch = mkdtempSync(join(tmpdir(), 'vitrine-unattend-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const INSTALL = { user: 'Alice', password: 'correct horse <battery> & staple', language: 'fr-FR', keyboard: '040c:0000040c', timeZone: 'Romance Standard Time' };

/**
 * The structure Windows setup expects (Microsoft's Unattended Windows Setup
 * Reference): each pass's components and, for each component, the settings
 * it may hold. A misspelt element or one in the wrong pass or component is
 * ignored by setup (or stops it): the test fails on any element not listed.
 */
const SCHEMA: Record<string, Record<string, Record<string, unknown>>> = {
  windowsPE: {
    'Microsoft-Windows-International-Core-WinPE': { SetupUILanguage: { UILanguage: {} }, InputLocale: {}, SystemLocale: {}, UILanguage: {}, UserLocale: {} },
    'Microsoft-Windows-PnpCustomizationsWinPE': { DriverPaths: { PathAndCredentials: { Path: {}, Credentials: {} } } },
    'Microsoft-Windows-Setup': {
      DiskConfiguration: {
        Disk: {
          DiskID: {},
          WillWipeDisk: {},
          CreatePartitions: { CreatePartition: { Order: {}, Type: {}, Size: {}, Extend: {} } },
          ModifyPartitions: { ModifyPartition: { Order: {}, PartitionID: {}, Format: {}, Label: {}, Letter: {}, TypeID: {} } },
        },
      },
      ImageInstall: { OSImage: { InstallFrom: { MetaData: { Key: {}, Value: {} }, Path: {} }, InstallTo: { DiskID: {}, PartitionID: {} }, InstallToAvailablePartition: {}, WillShowUI: {} } },
      UserData: { ProductKey: { Key: {}, WillShowUI: {} }, AcceptEula: {}, FullName: {}, Organization: {} },
    },
  },
  specialize: {
    'Microsoft-Windows-Shell-Setup': { ComputerName: {}, TimeZone: {}, RegisteredOwner: {} },
  },
  oobeSystem: {
    'Microsoft-Windows-International-Core': { InputLocale: {}, SystemLocale: {}, UILanguage: {}, UserLocale: {} },
    'Microsoft-Windows-Shell-Setup': {
      AutoLogon: { Password: { Value: {}, PlainText: {} }, Enabled: {}, LogonCount: {}, Username: {}, Domain: {} },
      FirstLogonCommands: { SynchronousCommand: { Order: {}, CommandLine: {}, Description: {}, RequiresUserInput: {} } },
      OOBE: { HideEULAPage: {}, HideLocalAccountScreen: {}, HideOEMRegistrationScreen: {}, HideOnlineAccountScreens: {}, HideWirelessSetupInOOBE: {}, ProtectYourPC: {}, SkipMachineOOBE: {}, SkipUserOOBE: {} },
      TimeZone: {},
      UserAccounts: { LocalAccounts: { LocalAccount: { Password: { Value: {}, PlainText: {} }, Description: {}, DisplayName: {}, Group: {}, Name: {} } } },
    },
  },
};

type Node = Record<string, unknown>;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name, _path, _leaf, isAttribute) => !isAttribute && !['unattend', '?xml'].includes(name), parseTagValue: false });

/** Every element under `node` is allowed by `shape`; returns the paths that are not. */
function unknownElements(node: Node, shape: Record<string, unknown>, path: string): string[] {
  const bad: string[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@') || key === '#text') continue;
    if (!(key in shape)) {
      bad.push(`${path}/${key}`);
      continue;
    }
    for (const item of value as unknown[]) if (typeof item === 'object' && item !== null) bad.push(...unknownElements(item as Node, shape[key] as Record<string, unknown>, `${path}/${key}`));
  }
  return bad;
}

function parse(xml: string): { root: Node; passes: Map<string, Map<string, Node>> } {
  const doc = parser.parse(xml) as Node;
  const root = doc['unattend'] as Node;
  const passes = new Map<string, Map<string, Node>>();
  for (const settings of root['settings'] as Node[]) {
    const components = new Map<string, Node>();
    for (const c of settings['component'] as Node[]) components.set(c['@name'] as string, c);
    passes.set(settings['@pass'] as string, components);
  }
  return { root, passes };
}

const text = (node: unknown): string => {
  const first = Array.isArray(node) ? node[0] : node;
  return typeof first === 'string' ? first : String((first as Node)['#text'] ?? '');
};

/** A fake virtio-win ISO with the real layout (folder names of virtio-win 0.1.266), built with xorriso. */
function fakeVirtioIso(oses: string[], withTools = true): string {
  const tree = mkdtempSync(join(scratch, 'virtio-tree-'));
  for (const driver of ['Balloon', 'NetKVM', 'viostor', 'vioscsi', 'vioserial', 'viorng', 'vioinput', 'qxldod', 'viofs', 'pvpanic']) {
    for (const os of oses) {
      mkdirSync(join(tree, driver, os, 'amd64'), { recursive: true });
      writeFileSync(join(tree, driver, os, 'amd64', `${driver.toLowerCase()}.inf`), '; driver\n');
    }
  }
  mkdirSync(join(tree, 'guest-agent'));
  writeFileSync(join(tree, 'guest-agent', 'qemu-ga-x86_64.msi'), 'msi');
  if (withTools) writeFileSync(join(tree, 'virtio-win-guest-tools.exe'), 'MZ');
  writeFileSync(join(tree, 'virtio-win-gt-x64.msi'), 'msi');
  const iso = `${tree}.iso`;
  execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-o', iso, '-V', 'virtio-win-0.1.266', '-J', '-r', tree], { stdio: 'ignore' });
  return iso;
}

describe('answer file', () => {
  for (const os of ['win10', 'win11'] as const) {
    it(`${os}: golden, Windows setup's structure, no password in clear`, () => {
      const xml = buildAnswerFile({ os, vmName: 'win11 & games', install: INSTALL, imageLanguage: 'fr-FR', lookingGlass: os === 'win11' });
      expectGolden(join(fixtures, `autounattend-${os}.xml`), xml);
      expect(xml).not.toContain(INSTALL.password);
      expect(xml).not.toContain('horse');
      // No registry bypass of Windows 11's checks.
      expect(xml).not.toMatch(/LabConfig|BypassTPMCheck|BypassSecureBootCheck|reg(\.exe)? add/i);
      const { root, passes } = parse(xml);
      expect(root['@xmlns']).toBe('urn:schemas-microsoft-com:unattend');
      expect([...passes.keys()]).toEqual(['windowsPE', 'specialize', 'oobeSystem']);
      for (const [pass, components] of passes) {
        for (const [name, component] of components) {
          expect(SCHEMA[pass]?.[name], `${pass}/${name} is a component of that pass`).toBeDefined();
          expect(component['@processorArchitecture']).toBe('amd64');
          expect(component['@publicKeyToken']).toBe('31bf3856ad364e35');
          expect(unknownElements(component, SCHEMA[pass]![name]!, `${pass}/${name}`)).toEqual([]);
        }
      }
      // Lists carry wcm:action="add" and unique keys.
      const pnp = passes.get('windowsPE')!.get('Microsoft-Windows-PnpCustomizationsWinPE')!;
      const paths = ((pnp['DriverPaths'] as Node[])[0]!['PathAndCredentials'] as Node[]).map((p) => ({ key: p['@wcm:keyValue'], action: p['@wcm:action'], path: text(p['Path']) }));
      expect(new Set(paths.map((p) => p.key)).size).toBe(paths.length);
      expect(paths.every((p) => p.action === 'add')).toBe(true);
      const dirs = new Set(paths.map((p) => p.path.replace(/^[D-G]:\\/, '').replace(/\\/g, '/')));
      expect([...dirs]).toEqual(virtioDriverDirs(os));
      // The account, its one automatic logon, and the decoded password.
      const shell = passes.get('oobeSystem')!.get('Microsoft-Windows-Shell-Setup')!;
      const account = (((shell['UserAccounts'] as Node[])[0]!['LocalAccounts'] as Node[])[0]!['LocalAccount'] as Node[])[0]!;
      expect(text(account['Name'])).toBe('Alice');
      expect(text(account['Group'])).toBe('Administrators');
      const encoded = text((account['Password'] as Node[])[0]!['Value']);
      expect(Buffer.from(encoded, 'base64').toString('utf16le')).toBe(`${INSTALL.password}Password`);
      expect(text((shell['AutoLogon'] as Node[])[0]!['LogonCount'])).toBe('1');
      const commands = ((shell['FirstLogonCommands'] as Node[])[0]!['SynchronousCommand'] as Node[]).map((c) => text(c['CommandLine']));
      expect(commands[0]).toContain('virtio-win-guest-tools.exe /install /passive /norestart');
      if (os === 'win11') expect(commands[1]).toContain('\\vitrine\\looking-glass-host-setup.exe /S');
      else expect(commands).toHaveLength(1);
      expect(text(passes.get('specialize')!.get('Microsoft-Windows-Shell-Setup')!['ComputerName'])).toBe('WIN11-GAMES');
    });
  }

  it('every driver path exists on a virtio-win ISO of the real layout; an old ISO is named for what it lacks', async () => {
    const iso = fakeVirtioIso(['w10', 'w11', '2k22']);
    const { label, paths } = await listIso(iso);
    expect(label).toBe('virtio-win-0.1.266');
    for (const os of ['win10', 'win11'] as const) {
      for (const dir of virtioDriverDirs(os)) expect(paths.map((p) => p.toLowerCase())).toContain(`/${dir.toLowerCase()}`);
      expect(missingVirtioParts(paths, os)).toEqual([]);
      await checkVirtioIso(iso, os);
    }
    const old = fakeVirtioIso(['w10', '2k19'], false);
    expect(missingVirtioParts((await listIso(old)).paths, 'win11')).toEqual(['viostor/w11/amd64', 'NetKVM/w11/amd64', 'virtio-win-guest-tools.exe']);
    await expect(checkVirtioIso(old, 'win11')).rejects.toThrow(/lacks viostor\/w11\/amd64, NetKVM\/w11\/amd64, virtio-win-guest-tools.exe/);
  });

  it('encodes passwords the way Windows reads them', () => {
    expect(encodeUnattendPassword('')).toBe('UABhAHMAcwB3AG8AcgBkAA==');
    expect(Buffer.from(encodeUnattendPassword('pässwörd'), 'base64').toString('utf16le')).toBe('pässwördPassword');
  });

  it('takes the language, keyboard and time zone from the host, and the UI language from the ISO label', () => {
    expect(localeFromHost({ lang: 'fr_FR.UTF-8', xkbLayout: 'fr', timeZone: 'Europe/Paris' })).toEqual({ language: 'fr-FR', keyboard: '040c:0000040c', timeZone: 'Romance Standard Time' });
    expect(localeFromHost({ lang: 'de_CH.UTF-8', xkbLayout: 'ch,us', timeZone: 'Europe/Zurich' })).toEqual({ language: 'de-CH', keyboard: '0807:00000807', timeZone: 'W. Europe Standard Time' });
    expect(localeFromHost({ lang: 'C.UTF-8' })).toEqual({ language: 'en-US', keyboard: 'en-US', timeZone: 'UTC' });
    expect(localeFromHost({ lang: 'pt_BR.UTF-8', xkbLayout: 'xx', timeZone: 'Mars/Olympus' })).toEqual({ language: 'pt-BR', keyboard: 'pt-BR', timeZone: 'UTC' });
    expect(isoLanguage('CCCOMA_X64FRE_FR-FR_DV9')).toBe('fr-FR');
    expect(isoLanguage('CCCOMA_X64FRE_EN-GB_DV9')).toBe('en-GB');
    expect(isoLanguage('WIN11')).toBeNull();
    expect(computerName('1234')).toBe('VITRINE-PC');
    expect(computerName('a very long virtual machine name')).toBe('A-VERY-LONG-VIR');
  });

  it('refuses accounts Windows would refuse, each with the reason', () => {
    const ok = { ...INSTALL, lookingGlassInstaller: null };
    expect(unattendedInstall.safeParse(ok).success).toBe(true);
    for (const [user, reason] of [
      ['', /Type the name/],
      ['Administrator', /reserved/],
      ['a/b', /cannot contain/],
      ['x'.repeat(21), /at most 20/],
      [' bob', /start or end with a space/],
    ] as const) {
      const r = unattendedInstall.safeParse({ ...ok, user });
      expect(r.success).toBe(false);
      expect(r.error!.issues[0]!.message).toMatch(reason);
    }
    expect(unattendedInstall.safeParse({ ...ok, timeZone: 'Europe/Paris"><x' }).success).toBe(false);
    expect(unattendedInstall.safeParse({ ...ok, lookingGlassInstaller: 'relative.exe' }).success).toBe(false);
  });
});

describe('answer-file ISO', () => {
  it('has the label, autounattend.xml at its root and the Looking Glass installer, readable by its owner only', async () => {
    const installer = join(scratch, 'looking-glass-host-setup.exe');
    writeFileSync(installer, 'MZ fake installer B7');
    const xml = buildAnswerFile({ os: 'win11', vmName: 'win11', install: INSTALL, lookingGlass: true });
    const iso = unattendIsoPath(join(scratch, 'images', 'win11.qcow2'), 'win11');
    expect(iso).toBe(join(scratch, 'images', 'win11-unattend.iso'));
    mkdirSync(join(scratch, 'images'));
    await buildUnattendIso(iso, xml, installer);
    expect(statSync(iso).mode & 0o777).toBe(0o600);
    expect(await readIsoInfo(iso)).toEqual({ format: 'iso9660', label: UNATTEND_LABEL });
    const ls = execFileSync('xorriso', ['-indev', iso, '-ls', '/', '/vitrine'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(ls).toContain("'autounattend.xml'");
    expect(ls).toContain("'looking-glass-host-setup.exe'");
    const out = join(scratch, 'extracted.xml');
    execFileSync('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', '/autounattend.xml', out], { stdio: 'ignore' });
    expect(readFileSync(out, 'utf8')).toBe(xml);
    // Built again over a previous one (a retried create), and without the installer.
    await buildUnattendIso(iso, xml, null);
    expect((await listIso(iso)).paths).toEqual(['/', '/autounattend.xml']);
  });

  it('says what to do when the installer cannot be read', async () => {
    await expect(buildUnattendIso(join(scratch, 'x.iso'), '<unattend/>', join(scratch, 'missing.exe'))).rejects.toThrow(/Looking Glass installer .*missing.exe' cannot be read \(ENOENT\)/);
  });

  it('says to install xorriso when it is missing', async () => {
    await expect(buildUnattendIso(join(scratch, 'y.iso'), '<unattend/>', null, 'xorriso-not-installed')).rejects.toThrow(/xorriso.*is not installed/);
  });
});
