/**
 * The lists of names the contract uses, written once. No dependency: the
 * renderer imports them (zod stays out of its bundle), and shared/schemas.ts
 * builds its enums from them.
 */

/** The first-time setup's steps, in order. */
export const WIZARD_STEPS = ['welcome', 'host', 'gpu', 'prepare', 'create', 'install', 'attach', 'play'] as const;

/** Where a text to diagnose came from. */
export const LOG_SOURCES = ['virsh', 'qemu-log', 'kernel-log', 'looking-glass', 'pasted', 'domain-xml', 'hook-log'] as const;

/** The sources that are log text (all but the domain's configuration). */
export const TEXT_SOURCES = LOG_SOURCES.filter((source) => source !== 'domain-xml');

/** The UI's languages (the catalogues in shared/i18n). */
export const LANGUAGES = ['en', 'fr'] as const;

/** How long Stop waits for Windows to shut down before it offers Force off (the UI counts it down). */
export const STOP_TIMEOUT_SECONDS = 120;
