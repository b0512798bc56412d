import { VitrineError } from '../common/errors';

const KEY = 'GRUB_CMDLINE_LINUX_DEFAULT';

export interface GrubDefault {
  /** The tokens of GRUB_CMDLINE_LINUX_DEFAULT (empty when the line is absent). */
  tokens: string[];
  /** The tokens of GRUB_CMDLINE_LINUX (read only: Vitrine never changes it). */
  linuxTokens: string[];
  /** Build the file with a new GRUB_CMDLINE_LINUX_DEFAULT; every other byte stays. */
  withTokens(tokens: string[]): string;
}

function refuse(problem: string, hint: string): never {
  throw new VitrineError({ kind: 'grub-default', message: `/etc/default/grub: ${problem}. Vitrine changed nothing.`, hint });
}

/** A shell assignment's value when it is one plain quoted or unquoted word; refuses anything a shell would expand. */
function plainValue(line: string, key: string): { quote: '"' | "'" | ''; value: string } {
  const raw = line.slice(line.indexOf('=') + 1).replace(/\s+#.*$/, '').trimEnd();
  const m = raw.match(/^"([^"\\$`]*)"$/) ?? raw.match(/^'([^']*)'$/) ?? raw.match(/^([^\s"'\\$`;|&<>()]*)$/);
  if (!m) {
    if (/[$`]/.test(raw)) refuse(`${key} uses $ or backticks (${raw})`, `Vitrine only edits a plain value; edit ${key} by hand, or make it a plain quoted string.`);
    if (/\\$/.test(raw) || (raw.split('"').length - 1) % 2 === 1 || (raw.split("'").length - 1) % 2 === 1) {
      refuse(`${key} spans several lines`, `Put its value on one line, then try again.`);
    }
    refuse(`${key} is not a single quoted value (${raw})`, `Write it as ${key}="…" on one line, then try again.`);
  }
  return { quote: raw.startsWith('"') ? '"' : raw.startsWith("'") ? "'" : '', value: m[1]! };
}

/**
 * Read /etc/default/grub as GRUB's shell would, but only as far as Vitrine
 * may touch it (shared/reference/host-setup.md): one GRUB_CMDLINE_LINUX_DEFAULT
 * line, a plain value, LF line ends, a final newline.
 */
export function parseGrubDefault(text: string): GrubDefault {
  if (text.includes('\r')) refuse('the file has Windows (CRLF) line ends', 'Convert it to LF line ends (dos2unix /etc/default/grub), then try again.');
  if (text.length > 0 && !text.endsWith('\n')) refuse('the file does not end with a newline', 'Add a newline at the end of the file, then try again.');
  const lines = text.split('\n');
  const find = (key: string): number[] => lines.flatMap((l, i) => (new RegExp(`^\\s*(export\\s+)?${key}=`).test(l) ? [i] : []));
  const defaults = find(KEY);
  const linux = find('GRUB_CMDLINE_LINUX');
  if (defaults.length > 1) refuse(`${KEY} is set ${defaults.length} times (lines ${defaults.map((i) => i + 1).join(', ')})`, 'Keep one of them, then try again.');
  if (linux.length > 1) refuse(`GRUB_CMDLINE_LINUX is set ${linux.length} times`, 'Keep one of them, then try again.');
  const current = defaults.length === 1 ? plainValue(lines[defaults[0]!]!, KEY) : { quote: '"' as const, value: '' };
  const linuxValue = linux.length === 1 ? plainValue(lines[linux[0]!]!, 'GRUB_CMDLINE_LINUX').value : '';
  const split = (v: string): string[] => v.split(/\s+/).filter(Boolean);
  return {
    tokens: split(current.value),
    linuxTokens: split(linuxValue),
    withTokens(tokens) {
      const quote = current.quote || '"';
      const line = `${KEY}=${quote}${tokens.join(' ')}${quote}`;
      if (defaults.length === 1) {
        const i = defaults[0]!;
        const old = lines[i]!;
        const prefix = old.match(/^\s*(export\s+)?/)![0];
        const comment = old.match(/\s+#.*$/)?.[0] ?? '';
        const copy = [...lines];
        copy[i] = `${prefix}${line}${comment}`;
        return copy.join('\n');
      }
      return `${text}${line}\n`;
    },
  };
}
