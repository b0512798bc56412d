import type { Command } from 'commander';
import { readFile, stat } from 'node:fs/promises';
import type { DiagnoseResult, DiagnoseText, Finding, LogSource } from '../../shared/api';
import { requestSchemas } from '../../shared/schemas';
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
    if (f.seeds.length) lines.push(`   (seen in seed ${f.seeds.join(', ')})`);
    lines.push('');
  });
  const missing = result.collected.filter((c) => c.status === 'unavailable');
  if (missing.length) {
    lines.push('Not read:');
    for (const c of missing) lines.push(`  - ${c.note}`);
  }
  return lines.join('\n').trimEnd() + '\n';
}

/** `vitrine diagnose [NAME] [--log FILE]... [--json]`. */
export function registerDiagnoseCommand(program: Command, ctx: { services: () => Services; fail: (e: unknown) => never }): void {
  program
    .command('diagnose [name]')
    .description('recognise known failures in a VM\'s logs (its last start, QEMU log, kernel log, configuration) and in log files')
    .option('--log <file>', 'a log file to read (repeatable; - for standard input)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--json', 'print JSON: { findings: [{ id, title, evidence: [lines], fix, … }], collected }')
    .action(async (name: string | undefined, opts: { log: string[]; json?: boolean }) => {
      try {
        if (name === undefined && opts.log.length === 0) {
          throw new VitrineError({ kind: 'invalid-argument', message: 'Nothing to diagnose.', hint: 'Give a VM name, or --log FILE (--log - reads standard input).' });
        }
        const texts: DiagnoseText[] = [];
        for (const file of opts.log) {
          let text: string;
          if (file === '-') text = await readStdin();
          else {
            const info = await stat(file).catch(() => null);
            if (!info?.isFile()) throw new VitrineError({ kind: 'missing-file', message: `'${file}' does not exist or is not a file.`, hint: 'Give the path of a log file.' });
            text = await readFile(file, 'utf8');
          }
          texts.push({ source: guessSource(text), label: file === '-' ? 'standard input' : file, text });
        }
        // The same check and service as the Troubleshoot page.
        const request = parseOrExplain(requestSchemas['diagnose.run'], name === undefined ? { texts } : { name, texts }, { name: 'NAME', texts: '--log' }, 'Give the name as vitrine vm list shows it, and logs of at most 8 MiB each (20 at most).');
        const result = await ctx.services().diagnose.run(request.name, request.texts);
        process.stdout.write(opts.json ? JSON.stringify(result, null, 2) + '\n' : formatDiagnosis(result, name));
      } catch (error) {
        ctx.fail(error);
      }
    });
}
