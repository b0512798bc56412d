// Several virsh commands in ONE virsh process (one start, one connection):
// how Play reads a domain before its start, and starts it and reads its live
// XML after. Light on purpose: the CLI starts Play's first read with it while
// the rest of the code loads.
import type { DomainSummary } from '../../shared/api';
import { parseDominfo } from './parse-dominfo';
import { virshCommand, type BatchResult, type Virsh } from './virsh';
import { virshErrorLines } from './virsh-errors';

/** dumpxml's argv for the persistent definition, with secrets (graphics passwords) kept so a redefine loses nothing. */
export const dumpXmlArgs = (name: string): string[] => ['dumpxml', '--inactive', '--security-info', '--domain', name];

/** dumpxml's argv for the running definition, with libvirt's picks (the SPICE port libvirt chose). */
export const liveXmlArgs = (name: string): string[] => ['dumpxml', '--domain', name];

/** Between the commands of one batch (echo prints it); no domain name holds a '/', and neither dominfo nor a start line prints it. */
export const BATCH_SEPARATOR = '/vitrine-batch/';
export const batch = (...commands: (readonly string[])[]): string => commands.map(virshCommand).join(`; echo ${BATCH_SEPARATOR}; `);

/**
 * Cut a batch's stdout at its separator; null when virsh never reached it
 * (it could not connect, say). With --quiet virsh prints no line ends of its
 * own (echo's, dominfo's last): the next command's output follows the
 * separator at once; without it, echo ends its line and every command's
 * output ends with an empty line.
 */
function cut(stdout: string, quiet: boolean): [string, string] | null {
  const at = stdout.indexOf(BATCH_SEPARATOR);
  if (at < 0) return null;
  const rest = stdout.slice(at + BATCH_SEPARATOR.length);
  return [stdout.slice(0, at), !quiet && rest.startsWith('\n') ? rest.slice(1) : rest];
}

/** `dominfo; echo SEP; dumpxml --inactive` as a summary and the XML, or null unless both ran cleanly. */
export function parseInfoAndXml(ran: BatchResult): { summary: DomainSummary; xml: string } | null {
  if (ran.code !== 0 || virshErrorLines(ran.stderr).length > 0) return null;
  const parts = cut(ran.stdout, true);
  const summary = parts ? parseDominfo(parts[0]) : null;
  if (!parts || !summary || !parts[1].trimStart().startsWith('<domain')) return null;
  return { summary, xml: parts[1] };
}

/**
 * What `start; echo SEP; dumpxml` (without --quiet) did. virsh runs the
 * dumpxml even when the start failed and exits with the dumpxml's status, so
 * the start is read from its own line: `Domain 'NAME' started`, printed only
 * on success. Its errors are then the whole stderr when the dumpxml
 * succeeded; when both failed, stderr holds both (the start's first).
 */
export function splitStartAndRead(ran: BatchResult): { liveXml: string } | { startFailed: { stderr: string; code: number | null } } | { readFailed: { stderr: string; code: number | null } } {
  const parts = cut(ran.stdout, false);
  const started = parts !== null && /^Domain .* started\s*$/m.test(parts[0]);
  if (!started) return { startFailed: { stderr: ran.stderr, code: ran.code === 0 ? 1 : ran.code } };
  if (ran.code !== 0) return { readFailed: { stderr: ran.stderr, code: ran.code } };
  // Without --quiet virsh ends each command's output with an empty line: the XML is what dumpxml alone prints.
  return { liveXml: parts[1].endsWith('\n\n') ? parts[1].slice(0, -1) : parts[1] };
}

/** Run `dominfo; echo SEP; dumpxml --inactive --security-info` for parseInfoAndXml; null for a name virsh's command line cannot carry. */
export function runInfoAndXml(virsh: Virsh, name: string): Promise<BatchResult> | null {
  if (/[\n\r\0]/.test(name)) return null;
  return virsh.runBatch(batch(['dominfo', '--domain', name], dumpXmlArgs(name)), 'dominfo', { reads: true });
}
