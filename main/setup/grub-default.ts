import { VitrineError } from '../common/errors';
import { msg, type Msg } from '../../shared/i18n/message';

const KEY = 'GRUB_CMDLINE_LINUX_DEFAULT';

export interface GrubDefault {
  /** The tokens of GRUB_CMDLINE_LINUX_DEFAULT (empty when the line is absent). */
  tokens: string[];
  /** The tokens of GRUB_CMDLINE_LINUX (read only: Vitrine never changes it). */
  linuxTokens: string[];
  /** Build the file with a new GRUB_CMDLINE_LINUX_DEFAULT; every other byte stays. */
  withTokens(tokens: string[]): string;
}

function refuse(problem: Msg, hint: Msg): never {
  throw VitrineError.of('grub-default', msg('error.setup.grub', { problem }), hint);
}

/** A shell assignment's value when it is one plain quoted or unquoted word; refuses anything a shell would expand. */
function plainValue(line: string, key: string): { quote: '"' | "'" | ''; value: string } {
  const raw = line.slice(line.indexOf('=') + 1).replace(/\s+#.*$/, '').trimEnd();
  const m = raw.match(/^"([^"\\$`]*)"$/) ?? raw.match(/^'([^']*)'$/) ?? raw.match(/^([^\s"'\\$`;|&<>()]*)$/);
  if (!m) {
    if (/[$`]/.test(raw)) refuse(msg('error.setup.grubExpands', { key, raw }), msg('error.setup.grubExpandsHint', { key }));
    if (/\\$/.test(raw) || (raw.split('"').length - 1) % 2 === 1 || (raw.split("'").length - 1) % 2 === 1) {
      refuse(msg('error.setup.grubMultiline', { key }), msg('error.setup.grubMultilineHint'));
    }
    refuse(msg('error.setup.grubNotQuoted', { key, raw }), msg('error.setup.grubNotQuotedHint', { key }));
  }
  return { quote: raw.startsWith('"') ? '"' : raw.startsWith("'") ? "'" : '', value: m[1]! };
}

/**
 * Read /etc/default/grub as GRUB's shell would, but only as far as Vitrine
 * may touch it (shared/reference/host-setup.md): one GRUB_CMDLINE_LINUX_DEFAULT
 * line, a plain value, LF line ends, a final newline.
 */
export function parseGrubDefault(text: string): GrubDefault {
  if (text.includes('\r')) refuse(msg('error.setup.grubCrlf'), msg('error.setup.grubCrlfHint'));
  if (text.length > 0 && !text.endsWith('\n')) refuse(msg('error.setup.grubNoNewline'), msg('error.setup.grubNoNewlineHint'));
  const lines = text.split('\n');
  const find = (key: string): number[] => lines.flatMap((l, i) => (new RegExp(`^\\s*(export\\s+)?${key}=`).test(l) ? [i] : []));
  const defaults = find(KEY);
  const linux = find('GRUB_CMDLINE_LINUX');
  if (defaults.length > 1) refuse(msg('error.setup.grubSetTwiceAt', { key: KEY, count: defaults.length, lines: defaults.map((i) => i + 1).join(', ') }), msg('error.setup.keepOneHint'));
  if (linux.length > 1) refuse(msg('error.setup.grubSetTwice', { key: 'GRUB_CMDLINE_LINUX', count: linux.length }), msg('error.setup.keepOneHint'));
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
