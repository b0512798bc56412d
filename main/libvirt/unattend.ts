import type { UnattendedInstall } from '../../shared/api';
import { escapeXml } from './xml/document';

/**
 * The Windows answer file (autounattend.xml) of an unattended install, pure.
 * Windows setup reads it from the root of any removable drive: Vitrine puts it
 * on a small ISO attached as a third CD-ROM (unattend-iso.ts).
 *
 * - windowsPE: the language, the virtio storage and network drivers from the
 *   virtio-win ISO (Microsoft-Windows-PnpCustomizationsWinPE; the CD-ROMs'
 *   drive letters are not known in advance, so each folder is listed on D: to
 *   G:, and setup skips the ones that do not exist), the new, empty virtio
 *   disk partitioned for UEFI, the edition, the EULA.
 * - specialize: the computer name and time zone.
 * - oobeSystem: the locale, the user's local administrator account, one
 *   automatic logon, and first-logon commands that install
 *   virtio-win-guest-tools.exe from the virtio ISO and, when given, the
 *   Looking Glass host application from the answer-file ISO.
 *
 * No registry bypass: Windows 11 on a VM with a TPM 2.0 and Secure Boot
 * passes setup's checks as it is.
 */

/** The virtio-win ISO's folder for each Windows version (viostor/w11/amd64…). */
export const VIRTIO_OS_DIR = { win10: 'w10', win11: 'w11' } as const;

/** The drivers Windows setup needs before it sees the disk and the network. */
export const WINPE_DRIVERS = ['viostor', 'vioscsi', 'NetKVM'] as const;

/** The drive letters the virtio-win ISO may get in Windows setup (the Windows ISO, virtio-win and this ISO are the three CD-ROMs). */
export const DRIVE_LETTERS = ['D', 'E', 'F', 'G'] as const;

/** The folder the answer-file ISO keeps extra installers in. */
export const ISO_EXTRA_DIR = 'vitrine';
export const LG_INSTALLER_NAME = 'looking-glass-host-setup.exe';

/** The relative driver folders on the virtio-win ISO for an OS, e.g. `viostor/w11/amd64`. */
export function virtioDriverDirs(os: 'win10' | 'win11'): string[] {
  return WINPE_DRIVERS.map((d) => `${d}/${VIRTIO_OS_DIR[os]}/amd64`);
}

/**
 * Windows' encoding of a password in an answer file (PlainText false): base64
 * of the UTF-16LE text followed by the field's name ("Password"). This hides
 * it from a glance only: the answer-file ISO holds the password and is deleted
 * once Windows is installed (Windows itself blanks it in its cached copy).
 */
export function encodeUnattendPassword(password: string, field = 'Password'): string {
  return Buffer.from(password + field, 'utf16le').toString('base64');
}

/** A Windows computer name from a VM name: letters, digits and hyphens, at most 15, not all digits. */
export function computerName(vmName: string): string {
  const name = vmName.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 15).replace(/-+$/, '');
  return name === '' || /^\d+$/.test(name) ? 'VITRINE-PC' : name.toUpperCase();
}

export interface AnswerFileOptions {
  os: 'win10' | 'win11';
  vmName: string;
  install: Pick<UnattendedInstall, 'user' | 'password' | 'language' | 'keyboard' | 'timeZone'>;
  /** The Windows image's language (from the ISO's label), when known: setup's UI language must be one the image has. */
  imageLanguage?: string | null;
  /** The Looking Glass installer is on the answer-file ISO. */
  lookingGlass: boolean;
  /** The edition to install from a multi-edition ISO. */
  edition?: string;
}

const COMPONENT = (name: string): string =>
  `<component name="${name}" processorArchitecture="amd64" publicKeyToken="31bf3856ad364e35" language="neutral" versionScope="nonSxS" xmlns:wcm="http://schemas.microsoft.com/WMIConfig/2002/State" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`;

function indent(text: string, by: number): string {
  const pad = ' '.repeat(by);
  return text
    .split('\n')
    .map((line) => (line === '' ? line : pad + line))
    .join('\n');
}

/** The first-logon commands: the virtio guest tools, then Looking Glass. */
export function firstLogonCommands(lookingGlass: boolean): { commandLine: string; description: string }[] {
  const letters = DRIVE_LETTERS.concat(['H', 'I'] as never[]).join(' ');
  const commands = [
    {
      commandLine: `cmd.exe /c for %d in (${letters}) do if exist %d:\\virtio-win-guest-tools.exe start "" /wait %d:\\virtio-win-guest-tools.exe /install /passive /norestart`,
      description: 'Install the virtio drivers and guest tools from the virtio-win ISO',
    },
  ];
  if (lookingGlass) {
    commands.push({
      commandLine: `cmd.exe /c for %d in (${letters}) do if exist %d:\\${ISO_EXTRA_DIR}\\${LG_INSTALLER_NAME} start "" /wait %d:\\${ISO_EXTRA_DIR}\\${LG_INSTALLER_NAME} /S`,
      description: 'Install the Looking Glass host application',
    });
  }
  return commands;
}

/** Build autounattend.xml. */
export function buildAnswerFile(options: AnswerFileOptions): string {
  const { install } = options;
  const e = escapeXml;
  const ui = options.imageLanguage ?? install.language;
  const edition = options.edition ?? (options.os === 'win11' ? 'Windows 11 Pro' : 'Windows 10 Pro');
  let key = 0;
  const driverPaths = virtioDriverDirs(options.os)
    .flatMap((dir) =>
      DRIVE_LETTERS.map(
        (letter) => `<PathAndCredentials wcm:action="add" wcm:keyValue="${++key}">
  <Path>${letter}:\\${dir.replace(/\//g, '\\')}</Path>
</PathAndCredentials>`,
      ),
    )
    .join('\n');
  const password = `<Password>
  <Value>${encodeUnattendPassword(install.password)}</Value>
  <PlainText>false</PlainText>
</Password>`;
  const commands = firstLogonCommands(options.lookingGlass)
    .map(
      (c, i) => `<SynchronousCommand wcm:action="add">
  <Order>${i + 1}</Order>
  <CommandLine>${e(c.commandLine)}</CommandLine>
  <Description>${e(c.description)}</Description>
</SynchronousCommand>`,
    )
    .join('\n');

  const windowsPE = `<settings pass="windowsPE">
  ${COMPONENT('Microsoft-Windows-International-Core-WinPE')}
    <SetupUILanguage>
      <UILanguage>${e(ui)}</UILanguage>
    </SetupUILanguage>
    <InputLocale>${e(install.keyboard)}</InputLocale>
    <SystemLocale>${e(install.language)}</SystemLocale>
    <UILanguage>${e(ui)}</UILanguage>
    <UserLocale>${e(install.language)}</UserLocale>
  </component>
  ${COMPONENT('Microsoft-Windows-PnpCustomizationsWinPE')}
    <DriverPaths>
${indent(driverPaths, 6)}
    </DriverPaths>
  </component>
  ${COMPONENT('Microsoft-Windows-Setup')}
    <DiskConfiguration>
      <Disk wcm:action="add">
        <DiskID>0</DiskID>
        <WillWipeDisk>true</WillWipeDisk>
        <CreatePartitions>
          <CreatePartition wcm:action="add">
            <Order>1</Order>
            <Type>EFI</Type>
            <Size>300</Size>
          </CreatePartition>
          <CreatePartition wcm:action="add">
            <Order>2</Order>
            <Type>MSR</Type>
            <Size>16</Size>
          </CreatePartition>
          <CreatePartition wcm:action="add">
            <Order>3</Order>
            <Type>Primary</Type>
            <Extend>true</Extend>
          </CreatePartition>
        </CreatePartitions>
        <ModifyPartitions>
          <ModifyPartition wcm:action="add">
            <Order>1</Order>
            <PartitionID>1</PartitionID>
            <Format>FAT32</Format>
            <Label>System</Label>
          </ModifyPartition>
          <ModifyPartition wcm:action="add">
            <Order>2</Order>
            <PartitionID>3</PartitionID>
            <Format>NTFS</Format>
            <Label>Windows</Label>
            <Letter>C</Letter>
          </ModifyPartition>
        </ModifyPartitions>
      </Disk>
    </DiskConfiguration>
    <ImageInstall>
      <OSImage>
        <InstallFrom>
          <MetaData wcm:action="add">
            <Key>/IMAGE/NAME</Key>
            <Value>${e(edition)}</Value>
          </MetaData>
        </InstallFrom>
        <InstallTo>
          <DiskID>0</DiskID>
          <PartitionID>3</PartitionID>
        </InstallTo>
      </OSImage>
    </ImageInstall>
    <UserData>
      <ProductKey>
        <WillShowUI>OnError</WillShowUI>
      </ProductKey>
      <AcceptEula>true</AcceptEula>
    </UserData>
  </component>
</settings>`;

  const specialize = `<settings pass="specialize">
  ${COMPONENT('Microsoft-Windows-Shell-Setup')}
    <ComputerName>${e(computerName(options.vmName))}</ComputerName>
    <TimeZone>${e(install.timeZone)}</TimeZone>
  </component>
</settings>`;

  const oobe = `<settings pass="oobeSystem">
  ${COMPONENT('Microsoft-Windows-International-Core')}
    <InputLocale>${e(install.keyboard)}</InputLocale>
    <SystemLocale>${e(install.language)}</SystemLocale>
    <UILanguage>${e(ui)}</UILanguage>
    <UserLocale>${e(install.language)}</UserLocale>
  </component>
  ${COMPONENT('Microsoft-Windows-Shell-Setup')}
    <AutoLogon>
${indent(password, 6)}
      <Enabled>true</Enabled>
      <LogonCount>1</LogonCount>
      <Username>${e(install.user)}</Username>
    </AutoLogon>
    <FirstLogonCommands>
${indent(commands, 6)}
    </FirstLogonCommands>
    <OOBE>
      <HideEULAPage>true</HideEULAPage>
      <HideLocalAccountScreen>true</HideLocalAccountScreen>
      <HideOEMRegistrationScreen>true</HideOEMRegistrationScreen>
      <HideOnlineAccountScreens>true</HideOnlineAccountScreens>
      <HideWirelessSetupInOOBE>true</HideWirelessSetupInOOBE>
      <ProtectYourPC>3</ProtectYourPC>
    </OOBE>
    <TimeZone>${e(install.timeZone)}</TimeZone>
    <UserAccounts>
      <LocalAccounts>
        <LocalAccount wcm:action="add">
${indent(password, 10)}
          <Description>Created by Vitrine</Description>
          <DisplayName>${e(install.user)}</DisplayName>
          <Group>Administrators</Group>
          <Name>${e(install.user)}</Name>
        </LocalAccount>
      </LocalAccounts>
    </UserAccounts>
  </component>
</settings>`;

  return `<?xml version="1.0" encoding="utf-8"?>
<!-- Written by Vitrine for ${e(options.vmName)}: Windows installs by itself. https://learn.microsoft.com/windows-hardware/customize/desktop/unattend/ -->
<unattend xmlns="urn:schemas-microsoft-com:unattend">
${indent(windowsPE, 2)}
${indent(specialize, 2)}
${indent(oobe, 2)}
</unattend>
`;
}

/** The language of a Windows ISO from its label: `CCCOMA_X64FRE_FR-FR_DV9` -> `fr-FR`; null when the label does not say. */
export function isoLanguage(label: string | null): string | null {
  const m = label?.match(/_([A-Za-z]{2})-([A-Za-z]{2})_/);
  return m ? `${m[1]!.toLowerCase()}-${m[2]!.toUpperCase()}` : null;
}

/** IANA time zones to Windows' names (CLDR windowsZones, the common ones). */
const WINDOWS_ZONES: Record<string, string> = {
  UTC: 'UTC',
  'Etc/UTC': 'UTC',
  'Europe/London': 'GMT Standard Time',
  'Europe/Dublin': 'GMT Standard Time',
  'Europe/Lisbon': 'GMT Standard Time',
  'Europe/Paris': 'Romance Standard Time',
  'Europe/Brussels': 'Romance Standard Time',
  'Europe/Madrid': 'Romance Standard Time',
  'Europe/Copenhagen': 'Romance Standard Time',
  'Europe/Berlin': 'W. Europe Standard Time',
  'Europe/Amsterdam': 'W. Europe Standard Time',
  'Europe/Rome': 'W. Europe Standard Time',
  'Europe/Vienna': 'W. Europe Standard Time',
  'Europe/Zurich': 'W. Europe Standard Time',
  'Europe/Stockholm': 'W. Europe Standard Time',
  'Europe/Oslo': 'W. Europe Standard Time',
  'Europe/Luxembourg': 'W. Europe Standard Time',
  'Europe/Warsaw': 'Central European Standard Time',
  'Europe/Prague': 'Central Europe Standard Time',
  'Europe/Budapest': 'Central Europe Standard Time',
  'Europe/Athens': 'GTB Standard Time',
  'Europe/Bucharest': 'GTB Standard Time',
  'Europe/Helsinki': 'FLE Standard Time',
  'Europe/Kiev': 'FLE Standard Time',
  'Europe/Kyiv': 'FLE Standard Time',
  'Europe/Istanbul': 'Turkey Standard Time',
  'Europe/Moscow': 'Russian Standard Time',
  'America/New_York': 'Eastern Standard Time',
  'America/Toronto': 'Eastern Standard Time',
  'America/Chicago': 'Central Standard Time',
  'America/Denver': 'Mountain Standard Time',
  'America/Phoenix': 'US Mountain Standard Time',
  'America/Los_Angeles': 'Pacific Standard Time',
  'America/Vancouver': 'Pacific Standard Time',
  'America/Anchorage': 'Alaskan Standard Time',
  'Pacific/Honolulu': 'Hawaiian Standard Time',
  'America/Halifax': 'Atlantic Standard Time',
  'America/Montreal': 'Eastern Standard Time',
  'America/Mexico_City': 'Central Standard Time (Mexico)',
  'America/Sao_Paulo': 'E. South America Standard Time',
  'America/Argentina/Buenos_Aires': 'Argentina Standard Time',
  'Asia/Tokyo': 'Tokyo Standard Time',
  'Asia/Seoul': 'Korea Standard Time',
  'Asia/Shanghai': 'China Standard Time',
  'Asia/Hong_Kong': 'China Standard Time',
  'Asia/Taipei': 'Taipei Standard Time',
  'Asia/Singapore': 'Singapore Standard Time',
  'Asia/Kolkata': 'India Standard Time',
  'Asia/Dubai': 'Arabian Standard Time',
  'Asia/Jerusalem': 'Israel Standard Time',
  'Africa/Johannesburg': 'South Africa Standard Time',
  'Africa/Casablanca': 'Morocco Standard Time',
  'Australia/Sydney': 'AUS Eastern Standard Time',
  'Australia/Melbourne': 'AUS Eastern Standard Time',
  'Australia/Brisbane': 'E. Australia Standard Time',
  'Australia/Perth': 'W. Australia Standard Time',
  'Pacific/Auckland': 'New Zealand Standard Time',
};

/** Keyboard layouts (XKB) to Windows input locales. */
const KEYBOARDS: Record<string, string> = {
  us: '0409:00000409',
  gb: '0809:00000809',
  fr: '040c:0000040c',
  de: '0407:00000407',
  es: '040a:0000040a',
  it: '0410:00000410',
  be: '080c:0000080c',
  ch: '0807:00000807',
  pt: '0816:00000816',
  br: '0416:00010416',
  nl: '0413:00020409',
  se: '041d:0000041d',
  no: '0414:00000414',
  dk: '0406:00000406',
  fi: '040b:0000040b',
  pl: '0415:00000415',
  ru: '0419:00000419',
  jp: '0411:e0010411',
  ca: '0c0c:00001009',
};

export interface HostLocaleInput {
  /** LC_ALL, LC_MESSAGES or LANG, e.g. `fr_FR.UTF-8`. */
  lang?: string | undefined;
  /** XKBLAYOUT from /etc/default/keyboard, e.g. `fr` or `us,fr`. */
  xkbLayout?: string | undefined;
  /** The IANA time zone, e.g. `Europe/Paris` (/etc/timezone or the /etc/localtime link). */
  timeZone?: string | undefined;
}

/** The answer file's language, keyboard and time zone from the host's locale (en-US, US keyboard, UTC when unknown). */
export function localeFromHost(input: HostLocaleInput): { language: string; keyboard: string; timeZone: string } {
  const m = input.lang?.match(/^([a-z]{2,3})_([A-Z]{2})/);
  const language = m ? `${m[1]}-${m[2]}` : 'en-US';
  const layout = input.xkbLayout?.split(',')[0]?.trim().toLowerCase();
  const keyboard = layout && KEYBOARDS[layout] ? KEYBOARDS[layout] : language;
  const timeZone = (input.timeZone && WINDOWS_ZONES[input.timeZone.trim()]) || 'UTC';
  return { language, keyboard, timeZone };
}
