import { describe, expect, it } from 'vitest';
import { parseFileCalls } from '../support/strace';

// The trace parser the scratch-root tests rely on (test/integration/setup-roots.test.ts).
describe('parseFileCalls', () => {
  it('resolves paths against their directory descriptor, the working folder, or as given; flags writes', () => {
    const text = [
      '101 openat(AT_FDCWD</tmp/w>, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3</etc/passwd>',
      '101 openat(5</tmp/r/etc>, "modprobe.d/vfio.conf", O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW, 0600) = 6</tmp/r/etc/modprobe.d/vfio.conf>',
      '101 mkdir("rel/dir", 0755) = -1 EEXIST (File exists)',
      '101 renameat2(5</tmp/r/etc>, ".x.tmp", 5</tmp/r/etc>, "x", 0) = 0',
      '101 statx(17</tmp/r/etc/default/grub>, "", AT_STATX_SYNC_AS_STAT|AT_EMPTY_PATH, STATX_ALL, {stx_mode=S_IFREG|0644}) = 0',
      '101 readlink("/etc/localtime", "/usr/share/zoneinfo/Etc/UTC", 1023) = 27',
      '101 execve("/usr/bin/node", ["/usr/bin/node", "/etc/shadow"], 0x7ffe /* 3 vars */) = 0',
      '101 getcwd("/tmp/w", 4096) = 7',
    ].join('\n');
    expect(parseFileCalls(text, '/tmp/w').map((c) => [c.syscall, c.paths, c.writes, c.ok])).toEqual([
      ['openat', ['/etc/passwd'], false, true],
      ['openat', ['/tmp/r/etc/modprobe.d/vfio.conf'], true, true],
      ['mkdir', ['/tmp/w/rel/dir'], true, false],
      ['renameat2', ['/tmp/r/etc/.x.tmp', '/tmp/r/etc/x'], true, true],
      ['statx', ['/tmp/r/etc/default/grub'], false, true],
      ['readlink', ['/etc/localtime'], false, true],
      ['execve', ['/usr/bin/node'], false, true],
    ]);
  });

  it('joins a call split by another thread (unfinished … resumed)', () => {
    const text = [
      '7 openat(AT_FDCWD</w>, "/tmp/r/etc/default/grub", O_RDONLY|O_CLOEXEC <unfinished ...>',
      '8 statx(AT_FDCWD</w>, "/tmp/r/usr/sbin/update-grub", AT_STATX_SYNC_AS_STAT, STATX_ALL, {}) = 0',
      '7 <... openat resumed>) = 17</tmp/r/etc/default/grub>',
      '[pid  9] unlink("/etc/shadow" <unfinished ...>',
      '[pid  9] <... unlink resumed>) = -1 EACCES (Permission denied)',
    ].join('\n');
    expect(parseFileCalls(text, '/w').map((c) => [c.syscall, c.paths, c.writes])).toEqual([
      ['statx', ['/tmp/r/usr/sbin/update-grub'], false],
      ['openat', ['/tmp/r/etc/default/grub'], false],
      ['unlink', ['/etc/shadow'], true],
    ]);
  });
});
