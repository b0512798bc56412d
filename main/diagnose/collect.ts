import { open, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DiagnoseResult, DiagnoseText } from '../../shared/api';
import { runFile, type RunError } from '../common/process';

type Collected = DiagnoseResult['collected'][number];
const TAIL_BYTES = 512 * 1024;

/** The last part of a file (logs can be long), or why it could not be read. */
export async function readTail(path: string): Promise<{ text: string } | { error: string }> {
  try {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      const start = Math.max(0, size - TAIL_BYTES);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      return { text: buffer.toString('utf8') };
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { error: code === 'EACCES' ? 'permission denied' : code === 'ENOENT' ? 'no such file' : String(code ?? error) };
  }
}

/** Where libvirt writes a domain's QEMU log: /var/log/libvirt/qemu (system) or ~/.cache/libvirt/qemu/log (session). */
export function qemuLogPath(uri: string, name: string, env: NodeJS.ProcessEnv = process.env): string {
  if (uri.startsWith('qemu:///session')) {
    const cache = env['XDG_CACHE_HOME'] || join(env['HOME'] || homedir(), '.cache');
    return join(cache, 'libvirt', 'qemu', 'log', `${name}.log`);
  }
  return join('/var/log/libvirt/qemu', `${name}.log`);
}

/** The domain's QEMU log, read directly when this user may. */
export async function collectQemuLog(uri: string, name: string): Promise<{ text: DiagnoseText | null; note: Collected }> {
  const path = qemuLogPath(uri, name);
  const got = await readTail(path);
  if ('text' in got) return { text: { source: 'qemu-log', label: path, text: got.text }, note: { source: 'qemu-log', label: path, status: 'read', note: '' } };
  const note =
    got.error === 'permission denied'
      ? `${path} is readable by root only: run "sudo tail -n 300 ${path}" and paste it into the Troubleshoot page (or: vitrine diagnose --log FILE).`
      : `${path}: ${got.error} (the VM has not run on this connection yet?)`;
  return { text: null, note: { source: 'qemu-log', label: path, status: 'unavailable', note } };
}

/**
 * The GPU handover hook's log for a VM (/var/log/vitrine/hook-NAME.log,
 * world-readable): null when the VM never used the hook.
 */
export async function collectHookLog(path: string): Promise<{ text: DiagnoseText; note: Collected } | null> {
  const got = await readTail(path);
  if (!('text' in got) || !got.text.trim()) return null;
  return { text: { source: 'hook-log', label: path, text: got.text }, note: { source: 'hook-log', label: path, status: 'read', note: '' } };
}

/** This boot's kernel log: journalctl -k, else dmesg; both may be restricted to root. */
export async function collectKernelLog(): Promise<{ text: DiagnoseText | null; note: Collected }> {
  const tries: [string, string[]][] = [
    ['journalctl', ['-k', '-b', '--no-pager', '-q', '-n', '5000']],
    ['dmesg', []],
  ];
  const reasons: string[] = [];
  for (const [file, args] of tries) {
    try {
      const out = await runFile(file, args, 15_000);
      if (out.trim()) return { text: { source: 'kernel-log', label: `${file} ${args.join(' ')}`.trim(), text: out }, note: { source: 'kernel-log', label: file, status: 'read', note: '' } };
      reasons.push(`${file}: no output`);
    } catch (error) {
      const err = error as RunError;
      reasons.push(`${file}: ${(err.stderr.trim() || err.message).split('\n')[0]}`);
    }
  }
  return {
    text: null,
    note: {
      source: 'kernel-log',
      label: 'kernel log',
      status: 'unavailable',
      note: `The kernel log is not readable by this user (${reasons.join('; ')}): run "sudo dmesg > kernel.log" and give it with --log kernel.log, or paste it.`,
    },
  };
}

/** The error a failed start left (kept by the lifecycle service), if any. */
export async function collectLastStartError(file: string): Promise<DiagnoseText | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  return text ? { source: 'virsh', label: 'the last failed start', text } : null;
}
