#!/bin/bash
# Vitrine's deb post-install. electron-builder fills in ${executable} and
# ${sanitizedProductName}; it replaces electron-builder's default script, so
# it also does that script's work (the command on PATH, chrome-sandbox).
# Every path is under $DPKG_ROOT, which dpkg sets for --root installs.
set -e
ROOT="${DPKG_ROOT:-}"
APP='/opt/${sanitizedProductName}'

# The command on PATH.
mkdir -p "$ROOT/usr/bin"
ln -sfn "$APP/${executable}" "$ROOT/usr/bin/${executable}"

# Chromium's sandbox helper: setuid only where user namespaces do not work.
if [ -z "$ROOT" ] && ! { [ -L /proc/self/ns/user ] && unshare --user true 2>/dev/null; }; then
  chmod 4755 "$APP/chrome-sandbox" || true
else
  chmod 0755 "$ROOT$APP/chrome-sandbox" || true
fi

# The root helper, root-owned at the one path the polkit policy allows, so the
# password prompt shows Vitrine's own message and only root can change it. It
# is an ES module: the .mjs name makes every Node.js (18 too) load it as one.
install -d -m 0755 -o root -g root "$ROOT/usr/lib/vitrine"
install -m 0755 -o root -g root "$ROOT$APP/resources/helper/vitrine-helper.mjs" "$ROOT/usr/lib/vitrine/vitrine-helper.mjs"
# Earlier builds installed it without the extension (Node 18 read that as CommonJS).
rm -f "$ROOT/usr/lib/vitrine/vitrine-helper"
install -d -m 0755 "$ROOT/usr/share/polkit-1/actions"
install -m 0644 -o root -g root "$ROOT$APP/resources/helper/io.github.vitrine.helper.policy" "$ROOT/usr/share/polkit-1/actions/io.github.vitrine.helper.policy"
# Backups of host changes: the folders and each change set's manifest.json are
# readable by everyone, so the app lists its change sets without a password;
# the copies of the files (backups/ID/files, backups/original) are root only.
install -d -m 0755 -o root -g root "$ROOT/var/lib/vitrine" "$ROOT/var/lib/vitrine/backups"

if [ -z "$ROOT" ]; then
  if hash update-desktop-database 2>/dev/null; then update-desktop-database /usr/share/applications || true; fi
  if hash gtk-update-icon-cache 2>/dev/null; then gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true; fi
fi
exit 0
