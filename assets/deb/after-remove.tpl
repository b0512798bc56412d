#!/bin/bash
# Vitrine's deb post-remove (electron-builder fills in ${executable}). On
# upgrade the next version's post-install replaces the files, so only remove
# and purge take them away. /var/lib/vitrine is kept while it holds anything
# (the original copies of the host files Vitrine changed, dumped ROMs); purge
# removes it only when it is empty.
set -e
ROOT="${DPKG_ROOT:-}"
case "$1" in
  remove|purge)
    if [ -L "$ROOT/usr/bin/${executable}" ] && [ "$(readlink "$ROOT/usr/bin/${executable}")" = '/opt/${sanitizedProductName}/${executable}' ]; then
      rm -f "$ROOT/usr/bin/${executable}"
    fi
    rm -f "$ROOT/usr/lib/vitrine/vitrine-helper.mjs" "$ROOT/usr/lib/vitrine/vitrine-helper" "$ROOT/usr/share/polkit-1/actions/io.github.vitrine.helper.policy"
    rmdir "$ROOT/usr/lib/vitrine" 2>/dev/null || true
    ;;
esac
if [ "$1" = purge ]; then
  rmdir "$ROOT/var/lib/vitrine/backups" "$ROOT/var/lib/vitrine" 2>/dev/null || true
fi
if [ "$1" = purge ] && [ -d "$ROOT/var/lib/vitrine/backups" ]; then
  echo "Vitrine: /var/lib/vitrine/backups is kept: it holds the original copies of the host files Vitrine changed. Undo those changes first (vitrine setup rollback, or restore the files from there), then delete the folder."
fi
exit 0
