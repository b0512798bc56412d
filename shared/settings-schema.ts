import { z } from 'zod';
import { LANGUAGES } from './enums';
import { LIBVIRT_URI_MAX, libvirtUriProblem } from './libvirt-uri';

/**
 * The schemas of the app's settings, apart from the request schemas
 * (shared/schemas.ts re-exports them): reading a settings file builds these
 * few, not the hundreds of every request, so `vitrine play` stays quick.
 */

/** An absolute path without control characters. */
export const absolutePath = z
  .string()
  .min(1, 'A path cannot be empty.')
  .refine((p) => p.startsWith('/'), 'Give an absolute path (starting with /).')
  .refine((p) => !/\p{Cc}/u.test(p), 'A path cannot contain control characters.');

/** A screen resolution in pixels. */
export const resolution = z.object({ width: z.number().int().min(320).max(16384), height: z.number().int().min(200).max(16384) }).strict();

/** A libvirt connection URI Vitrine uses (see libvirtUriProblem). */
export const libvirtUri = z
  .string()
  .max(LIBVIRT_URI_MAX, `A libvirt URI is at most ${LIBVIRT_URI_MAX} characters.`)
  .superRefine((uri, ctx) => {
    const problem = libvirtUriProblem(uri);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** The app's own settings (not a VM's), kept in $XDG_CONFIG_HOME/vitrine/settings.json. */
export const appSettings = z
  .object({
    /** The libvirt connection to use from the next start (--connect and VITRINE_LIBVIRT_URI come first); null: qemu:///system. */
    libvirtUri: libvirtUri.nullable(),
    /** The looking-glass-client to run; null: find it on PATH. */
    clientPath: absolutePath.nullable(),
    /** What happens when the user closes the Looking Glass window while the VM runs. */
    onClientClose: z.enum(['ask', 'keep-running', 'shut-down']),
    /** The monitor resolution to use when none can be detected (no Electron, no xrandr). */
    fallbackResolution: resolution.nullable(),
    language: z.enum(LANGUAGES).nullable(),
    /** Start Vitrine in the tray at login (an XDG autostart entry). */
    startAtLogin: z.boolean(),
    /** The "Vitrine keeps running in the tray" notice was shown once. */
    trayHintShown: z.boolean(),
  })
  .strict();

/** The app settings a request may change (each field optional). */
export const settingsPatch = appSettings.partial();
