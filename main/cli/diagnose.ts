import type { Command } from 'commander';
import { readFile, stat } from 'node:fs/promises';
import type { DiagnoseResult, DiagnoseText, Finding, KnownProblem, LogSource } from '../../shared/api';
import { VitrineError } from '../common/errors';
import type { Services } from '../services/index';
import { parseOrExplain } from './parse';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Guess what kind of log a file is, from its first lines. */
export function guessSource(text: string): LogSource {
  const head = text.slice(0, 20_000);
  // QEMU logs first: their header names the kernel too ("kernel: 6.1.0-…").
  if (/starting up libvirt version|qemu-system-\S+:|^LC_ALL=C/m.test(head)) return 'qemu-log';
  if (/^\s*\[\s*\d+\.\d+\]|^\w{3} \d+ [\d:]+ \S+ kernel: /m.test(head)) return 'kernel-log';
  if (/looking glass|\[[IWEDF]\]\s+\d+\s+\S+\.c:\d+/i.test(head)) return 'looking-glass';
  if (/^error: /m.test(head)) return 'virsh';
  return 'pasted';
}

function oneClickHint(finding: Finding, name: string | undefined): string | null {
  const fix = finding.oneClick;
  if (!fix) return null;
  if (fix.kind === 'host') {
    const flags = [fix.setup.ignoreMsrs ? '--ignore-msrs' : '', fix.setup.allowUnsafeInterrupts ? '--allow-unsafe-interrupts' : '', fix.setup.lookingGlass ? '--looking-glass shm' : '--no-looking-glass-access'].filter(Boolean).join(' ');
    return `${fix.label}: ${fix.change.path} gets "${fix.change.content.trim()}" — vitrine setup plan ${flags}   (then vitrine setup apply)`;
  }
  const e = fix.edits;
  const flags = [
    e.hideHypervisor ? `--hide-hypervisor ${e.hideHypervisor.method}` : '',
    e.removeTablet ? '--no-tablet' : '',
    e.videoNone ? '--video-none' : '',
    e.shmemMiB ? `--shmem ${e.shmemMiB}` : '',
    e.attachPci ? `--attach-gpu ${e.attachPci.addresses.join(',')}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return `${fix.label}: vitrine vm xml ${name ? JSON.stringify(name) : 'NAME'} ${flags} --diff   (then --apply)`;
}

/** The findings for people: most likely first, with the lines that show it. */
export function formatDiagnosis(result: DiagnoseResult, name: string | undefined): string {
  const lines: string[] = [];
  if (result.findings.length === 0) lines.push('No known problem found.');
  result.findings.forEach((f, i) => {
    lines.push(`${i + 1}. ${f.title}  [${f.id}]`);
    for (const e of f.evidence.slice(0, 5)) lines.push(`   ${e.label}:${e.line}: ${e.text.trim()}`);
    lines.push(`   Why: ${f.explanation}`);
    for (const step of f.fix) lines.push(`   - ${step}`);
    const hint = oneClickHint(f, name);
    if (hint) lines.push(`   One click: ${hint}`);
    lines.push('');
  });
  const missing = result.collected.filter((c) => c.status === 'unavailable');
  if (missing.length) {
    lines.push('Not read:');
    for (const c of missing) lines.push(`  - ${c.note}`);
  }
  return lines.join('\n').trimEnd() + '\n';
}

/** Known problems found by words, for people: what the search found, or that it found nothing and what is closest. */
export function formatSearch(query: string, result: { found: boolean; problems: KnownProblem[] }): string {
  const lines: string[] = [];
  if (!result.found) lines.push(`Nothing known matches "${query}". The closest known problems:`, '');
  result.problems.forEach((p, i) => {
    lines.push(`${i + 1}. ${p.title}  [${p.id}]`);
    lines.push(`   Why: ${p.explanation}`);
    for (const step of p.fix) lines.push(`   - ${step}`);
    lines.push('');
  });
  if (!result.found) lines.push('Describe it in other words, or give the logs: vitrine diagnose NAME, or --log FILE.');
  return lines.join('\n').trimEnd() + '\n';
}

/**
 * What the positional text of `vitrine diagnose TEXT...` is: a VM's name when
 * a VM of that name exists (or, when libvirt cannot be asked, when it is one
 * word, as before), otherwise words to search the known problems for
 * ("error 127", stutter). With --log the text is always the VM's name.
 */
export function positionalIs(text: string, pieces: number, withLogs: boolean, existing: Set<string> | null): 'vm' | 'words' {
  if (withLogs) return 'vm';
  if (existing) return existing.has(text) ? 'vm' : 'words';
  return pieces === 1 && !/\s/.test(text) ? 'vm' : 'words';
}

/** `vitrine diagnose [NAME | WORDS...] [--search WORDS] [--log FILE]... [--json]`. */
export function registerDiagnoseCommand(program: Command, ctx: { services: () => Promise<Services>; fail: (e: unknown) => never }): void {
  program
    .command('diagnose [text...]')
    .description(
      "recognise known failures in a VM's logs (its last start, QEMU log, kernel log, configuration) and in log files; " +
        'or, given words that are not a VM\'s name ("error 127", stutter), search the known problems as the Troubleshoot page does',
    )
    .option('--log <file>', 'a log file to read (repeatable; - for standard input)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--search <words>', 'search the known problems for these words (never taken as a VM name)')
    .option('--json', 'print JSON: { findings: [{ id, title, evidence: [lines], fix, … }], collected }; with words: { query, found, problems }')
    .action(async (pieces: string[], opts: { log: string[]; search?: string; json?: boolean }) => {
      try {
        const text = pieces.join(' ').trim();
        if (opts.search !== undefined && (text || opts.log.length)) {
          throw new VitrineError({ kind: 'invalid-argument', message: '--search takes the words alone.', hint: 'Either vitrine diagnose --search "WORDS", or vitrine diagnose NAME [--log FILE].' });
        }
        let services: Services | undefined;
        const get = async (): Promise<Services> => (services ??= await ctx.services());
        const { requestSchemas } = await import('../../shared/schemas');
        let name: string | undefined;
        let unconfirmed = false;
        let words: string | undefined = opts.search;
        if (words === undefined && text) {
          const withLogs = opts.log.length > 0;
          const listed = withLogs ? null : await (await get()).listDomains().then((d) => new Set(d.map((x) => x.name)), () => null);
          if (positionalIs(text, pieces.length, withLogs, listed) === 'vm') {
            name = text;
            unconfirmed = !withLogs && listed === null;
          } else {
            words = text;
            if (listed && pieces.length === 1) process.stderr.write(`vitrine: no VM is called '${text}'; searching the known problems for these words.\n`);
          }
        }
        if (words !== undefined) {
          const request = parseOrExplain(requestSchemas['diagnose.search'], { query: words }, { query: '--search' }, 'Give a few words, at most 500 characters.');
          const result = (await get()).diagnose.searchDetailed(request.query);
          process.stdout.write(opts.json ? JSON.stringify({ query: request.query, ...result }, null, 2) + '\n' : formatSearch(request.query, result));
          return;
        }
        if (name === undefined && opts.log.length === 0) {
          throw new VitrineError({ kind: 'invalid-argument', message: 'Nothing to diagnose.', hint: 'Give a VM name, or --log FILE (--log - reads standard input), or words: vitrine diagnose --search "error 127".' });
        }
        const texts: DiagnoseText[] = [];
        for (const file of opts.log) {
          let content: string;
          if (file === '-') content = await readStdin();
          else {
            const info = await stat(file).catch(() => null);
            if (!info?.isFile()) throw new VitrineError({ kind: 'missing-file', message: `'${file}' does not exist or is not a file.`, hint: 'Give the path of a log file.' });
            content = await readFile(file, 'utf8');
          }
          texts.push({ source: guessSource(content), label: file === '-' ? 'standard input' : file, text: content });
        }
        // The same check and service as the Troubleshoot page.
        const request = parseOrExplain(requestSchemas['diagnose.run'], name === undefined ? { texts } : { name, texts }, { name: 'NAME', texts: '--log' }, 'Give the name as vitrine vm list shows it, and logs of at most 8 MiB each (20 at most).');
        const result = await (await get()).diagnose.run(request.name, request.texts);
        process.stdout.write(opts.json ? JSON.stringify(result, null, 2) + '\n' : formatDiagnosis(result, name));
        if (!opts.json && unconfirmed && result.findings.length === 0) {
          process.stdout.write(`\nlibvirt could not say whether a VM is called '${text}'. To search the known problems for these words: vitrine diagnose --search ${JSON.stringify(text)}\n`);
        }
      } catch (error) {
        ctx.fail(error);
      }
    });
}
