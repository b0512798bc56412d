import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** strace, when installed (Debian: strace). */
export const straceMissing: string | null = spawnSync('strace', ['-V']).status === 0 ? null : 'strace is not installed (apt install strace)';

/** One file-system call a traced process made: its name, the paths it names (absolute), whether it writes, its result. */
export interface FileCall {
  syscall: string;
  paths: string[];
  writes: boolean;
  ok: boolean;
  line: string;
}

/** Calls that change the file system whatever their flags. */
const WRITING = new Set([
  'mkdir', 'mkdirat', 'rename', 'renameat', 'renameat2', 'unlink', 'unlinkat', 'rmdir', 'chmod', 'fchmodat', 'fchmodat2', 'chown', 'lchown', 'fchownat',
  'link', 'linkat', 'symlink', 'symlinkat', 'truncate', 'utime', 'utimes', 'utimensat', 'futimesat', 'mknod', 'mknodat', 'creat', 'setxattr', 'lsetxattr', 'removexattr', 'lremovexattr',
]);

/** Calls whose later string arguments are not paths. */
const ONE_PATH = /^(readlink|readlinkat|execve|execveat)$/;

/**
 * Parse `strace -f -y -e trace=%file` output. With -y, a descriptor argument
 * shows its path (`5</tmp/r/etc>`, `AT_FDCWD</home/u>`), so a path relative to
 * a directory descriptor (openat with O_NOFOLLOW, …) resolves to the file it
 * names; a bare relative path resolves against `cwd`.
 */
export function parseFileCalls(text: string, cwd: string): FileCall[] {
  const calls: FileCall[] = [];
  // A call one thread started while another's was printed comes in two lines: `… <unfinished ...>`, then `<... name resumed>…`.
  const pending = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const pid = /^(?:\[pid\s+)?(\d+)\]?\s+/.exec(raw);
    let line = raw.slice(pid?.[0].length ?? 0);
    const key = pid?.[1] ?? '';
    if (line.endsWith('<unfinished ...>')) {
      pending.set(key, line.slice(0, -'<unfinished ...>'.length).trimEnd());
      continue;
    }
    const resumed = /^<\.\.\. \w+ resumed>\s?(.*)$/.exec(line);
    if (resumed) {
      line = `${pending.get(key) ?? ''}${resumed[1]}`;
      pending.delete(key);
    }
    const m = /^(\w+)\((.*)\)\s+=\s+(-?\d+|\?)/.exec(line);
    if (!m) continue;
    const [, syscall, args, result] = m as unknown as [string, string, string, string];
    if (syscall === 'getcwd') continue; // its string is what it returns
    const paths: string[] = [];
    // Arguments: a descriptor with its path, then a string; or a lone string.
    const re = /(?:(?:AT_FDCWD|\d+)<([^>]*)>,\s*)?"((?:[^"\\]|\\.)*)"/g;
    for (let a = re.exec(args); a; a = re.exec(args)) {
      const [, dir, name] = a as unknown as [string, string | undefined, string];
      if (name !== '') paths.push(isAbsolute(name) ? resolve(name) : resolve(dir ?? cwd, name));
      else if (dir) paths.push(dir); // AT_EMPTY_PATH: the descriptor's own file
      // Only the first string names a file: readlink's second is the link's text, exec's the argv.
      if (ONE_PATH.test(syscall)) break;
    }
    const flags = /\bO_(WRONLY|RDWR|CREAT|TRUNC|APPEND)\b/.test(args) && /^(open|openat|openat2)$/.test(syscall);
    calls.push({ syscall, paths, writes: WRITING.has(syscall) || flags, ok: result !== '?' && !result.startsWith('-'), line });
  }
  return calls;
}

/** Run a command under `strace -f` (children too) and return its exit code, output and every file-system call it made. */
export function traced(command: string, args: string[], options: SpawnOptions & { cwd: string }): Promise<{ code: number | null; stdout: string; stderr: string; calls: FileCall[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'vitrine-strace-'));
  const log = join(dir, 'trace');
  if (options.uid !== undefined) chownSync(dir, options.uid, options.gid ?? -1); // strace runs as that user and writes the log
  return new Promise((done) => {
    const child = spawn('strace', ['-f', '-y', '-qq', '-s', '4096', '-e', 'trace=%file', '-o', log, command, ...args], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c) => (stdout += c));
    child.stderr!.on('data', (c) => (stderr += c));
    child.on('close', (code) => {
      const calls = parseFileCalls(readFileSync(log, 'utf8'), options.cwd);
      rmSync(dir, { recursive: true, force: true });
      done({ code, stdout, stderr, calls });
    });
  });
}

/** Whether `path` is `dir` or under it. */
export const within = (dir: string, path: string): boolean => path === dir || path.startsWith(`${dir}/`);
