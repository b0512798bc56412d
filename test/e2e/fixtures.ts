import { test as base } from '@playwright/test';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createSessionUser, defineDomain, startServe, type SessionUser } from '../support/session-libvirt';

export { expect } from '@playwright/test';
export type { SessionUser } from '../support/session-libvirt';

/** What a spec's session holds before `vitrine serve` starts. */
export interface SessionSetup {
  /** Tiny TCG domains to define (`tinyDomainXml`). */
  domains?: string[];
  /** Anything else, as the session user, before serve starts: files, a VM, a fixture host, `user.env` for serve. */
  prepare?: (user: SessionUser) => void | Promise<void>;
  /** `vitrine serve`'s arguments after `--connect qemu:///session serve --port 0`. */
  serveArgs?: string[] | ((user: SessionUser) => string[]);
  /** Runs after the session is gone (domains removed, daemon ended, home deleted). */
  afterCleanup?: (user: SessionUser) => void | Promise<void>;
}

/** `vitrine serve` as the session user, with the URL it printed (token included). */
export interface Serve {
  url: string;
  origin: string;
  child: ChildProcess;
}

interface SessionFixtures {
  sessionSetup: SessionSetup;
  /** A private qemu:///session user (test/support/session-libvirt.ts), set up as `sessionSetup` says. */
  user: SessionUser;
  /** `vitrine serve` for `user`. */
  serve: Serve;
}

/**
 * The session user and `vitrine serve`, as worker fixtures: made once, before
 * the first test that asks for them, and shared by the tests of the spec;
 * torn down (serve stopped, then the user's domains, daemon and home removed)
 * when the worker ends. Each `sessionTest(...)` has its own `sessionSetup`,
 * so Playwright runs its tests in a worker of their own: every spec (and each
 * language of the wizard) gets a fresh session, as its `beforeAll` gave it.
 */
const sessionBase = base.extend<object, SessionFixtures>({
  sessionSetup: [{}, { scope: 'worker', option: true }],
  user: [
    async ({ sessionSetup }, use) => {
      const user = await createSessionUser();
      try {
        for (const name of sessionSetup.domains ?? []) await defineDomain(user, name);
        await sessionSetup.prepare?.(user);
        await use(user);
      } finally {
        await user.cleanup();
        await sessionSetup.afterCleanup?.(user);
      }
    },
    { scope: 'worker' },
  ],
  serve: [
    async ({ user, sessionSetup }, use) => {
      const args = typeof sessionSetup.serveArgs === 'function' ? sessionSetup.serveArgs(user) : (sessionSetup.serveArgs ?? []);
      const serve = await startServe(user, args);
      try {
        await use(serve);
      } finally {
        serve.child.kill('SIGTERM');
      }
    },
    { scope: 'worker' },
  ],
});

/** `vitrine serve`'s arguments that make it read the fixture host written to `dir` (test/support/host-tree.ts). */
export function hostRootArgs(dir: string): string[] {
  return ['--sysfs-root', join(dir, 'sys'), '--proc-root', join(dir, 'proc'), '--dev-root', join(dir, 'dev'), '--modules-root', join(dir, 'lib', 'modules')];
}

/** The `test` of a spec whose tests share one session user and (when they ask for it) one `vitrine serve`. */
export function sessionTest(setup: SessionSetup) {
  return sessionBase.extend<object, Pick<SessionFixtures, 'sessionSetup'>>({ sessionSetup: [setup, { scope: 'worker' }] });
}
