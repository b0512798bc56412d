import { libvirtUriProblem } from '../../shared/libvirt-uri';
import { VitrineError } from '../common/errors';
import { msg } from '../../shared/i18n/message';

// Apart from services/index.ts so that the CLI checks --connect without loading every service.

export const DEFAULT_LIBVIRT_URI = 'qemu:///system';

/** Pick the libvirt URI: the --connect flag, then VITRINE_LIBVIRT_URI, then the Settings choice (`saved`), then qemu:///system. */
export function resolveLibvirtUri(flag: string | undefined, env: NodeJS.ProcessEnv, saved: () => string | null): string {
  return flag || env['VITRINE_LIBVIRT_URI'] || saved() || DEFAULT_LIBVIRT_URI;
}

/** The URI to use, checked: a typo or a transport Vitrine does not use is refused before anything connects. */
export function checkedLibvirtUri(flag: string | undefined, env: NodeJS.ProcessEnv, saved: () => string | null): string {
  const uri = resolveLibvirtUri(flag, env, saved);
  const problem = libvirtUriProblem(uri);
  if (problem) {
    const from = flag ? '--connect' : env['VITRINE_LIBVIRT_URI'] ? 'VITRINE_LIBVIRT_URI' : 'the Settings';
    // The English is the precise problem (shared/libvirt-uri.ts); the UI says it in its language, the URI named.
    const hint = flag || env['VITRINE_LIBVIRT_URI'] ? msg('error.app.badUriHint', { from }) : msg('error.app.badUriHintSettings');
    throw new VitrineError({ kind: 'invalid-uri', message: problem, hint: `Check the URI given in ${from}.`, msg: { message: msg('error.app.badUri', { uri }), hint } });
  }
  return uri;
}
