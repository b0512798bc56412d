// The host scan reads hundreds of tiny sysfs files. fs/promises costs several
// thread-pool round trips per file (open, fstat, read, close); these reads are
// synchronous instead, each a few microseconds on sysfs and procfs. The scan
// runs in the CLI, or in the main process behind a request that waits for the
// whole report anyway; the functions stay async so callers need not change.
import { accessSync, closeSync, constants, existsSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename } from 'node:path';

/** A file's text, trimmed, or null when it cannot be read (sysfs files come and go). */
export function readTextSync(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Where readAttrSync reads (grown when a file is larger; the scan reads one file at a time). */
let attrBuffer = Buffer.allocUnsafe(8192);

/**
 * A small file's text (a sysfs attribute: one page at most), trimmed, or null
 * when it cannot be read, as readTextSync gives it, in three system calls
 * instead of four: open, one read, close. readFileSync reads until a read
 * returns nothing; on sysfs, as on a regular file, a read that does not fill
 * the buffer has reached the end, so only a read that fills it is followed by
 * another. Not for procfs files, whose reads may stop short of the end.
 */
export function readAttrSync(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY);
  } catch {
    return null;
  }
  try {
    let length = 0;
    for (;;) {
      length += readSync(fd, attrBuffer, length, attrBuffer.length - length, null);
      if (length < attrBuffer.length) break;
      const larger = Buffer.allocUnsafe(attrBuffer.length * 2);
      attrBuffer.copy(larger, 0, 0, length);
      attrBuffer = larger;
    }
    return attrBuffer.toString('utf8', 0, length).trim();
  } catch {
    return null; // a folder (EISDIR), a file gone while read
  } finally {
    try {
      closeSync(fd);
    } catch {
      // nothing more to do with it
    }
  }
}

/** A symlink's target as written, or null. */
export function readLinkSync(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

/** The last component of a symlink's target (`driver` -> `nvidia`), or null. */
export function linkNameSync(path: string): string | null {
  try {
    return basename(readlinkSync(path));
  } catch {
    return null;
  }
}

export function listDirSync(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/**
 * Whether a path exists, in one system call and without an exception when
 * it does not (a failed call that throws costs as much as listing a sysfs
 * folder; fs.existsSync throws nothing). A write-only `reset` file counts.
 */
export function pathExistsSync(path: string): boolean {
  return existsSync(path);
}

export function realPathSync(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

// The same as promises, for callers that await.
export const readText = async (path: string): Promise<string | null> => readTextSync(path);
export const readLink = async (path: string): Promise<string | null> => readLinkSync(path);
export const linkName = async (path: string): Promise<string | null> => linkNameSync(path);
export const listDir = async (path: string): Promise<string[]> => listDirSync(path);

export async function fileExists(path: string): Promise<boolean> {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

export async function canReadWrite(path: string): Promise<boolean> {
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export const realPath = async (path: string): Promise<string | null> => realPathSync(path);
