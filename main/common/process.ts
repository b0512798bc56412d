import { execFile } from 'node:child_process';

/** A failed run: the error, with the program's stderr and exit code (or ENOENT) kept. */
export type RunError = NodeJS.ErrnoException & { stderr: string };

/**
 * Run a program with an argv (never a shell), in the C locale, and resolve
 * with its stdout. For the one-off tools around libvirt (qemu-img, journalctl,
 * dmesg); virsh has its own runner with typed errors (libvirt/virsh.ts).
 */
export function runFile(file: string, args: readonly string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stderr: String(stderr) }) as RunError);
      else resolve(stdout);
    });
  });
}
