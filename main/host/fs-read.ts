// The host scan reads hundreds of tiny sysfs files. fs/promises costs several
// thread-pool round trips per file (open, fstat, read, close); these reads are
// synchronous instead, each a few microseconds on sysfs and procfs. The scan
// runs in the CLI, or in the main process behind a request that waits for the
// whole report anyway; the functions stay async so callers need not change.
import { accessSync, constants, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename } from 'node:path';

/** A file's text, trimmed, or null when it cannot be read (sysfs files come and go). */
export function readTextSync(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
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
