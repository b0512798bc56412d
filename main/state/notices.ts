import type { Notice } from '../../shared/api';

const pending: Notice[] = [];

/**
 * Something the user should hear about once, that no request asked for: a
 * settings or wizard file that could not be read and was kept aside. The UI
 * shows them when it loads (`app.notices`); the CLI prints them as it exits.
 */
export function reportNotice(notice: Notice): void {
  if (!pending.some((n) => n.kind === notice.kind && n.path === notice.path)) pending.push(notice);
}

/** The notices not shown yet; each is handed out once. */
export function takeNotices(): Notice[] {
  return pending.splice(0);
}
