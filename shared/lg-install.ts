/**
 * How to get the Looking Glass client and the kvmfr module on each
 * distribution family (the checklist and the Settings page show it). The
 * Debian/Ubuntu build packages are the ones the Looking Glass B7 build guide
 * lists (doc/build.rst at tag B7); kvmfr is built with DKMS from the
 * source's module/ folder (doc/ivshmem_kvmfr.rst). Pure data.
 */

export type LgDistroFamily = 'debian' | 'fedora' | 'arch' | 'suse' | 'other';

export interface LgClientInstall {
  /** One sentence: where the client comes from on this family. */
  how: string;
  /** Commands to run, in order (shell lines the user copies). */
  commands: string[];
  /** Where the kvmfr module comes from (only needed for kvmfr memory). */
  kvmfr: string;
}

/** The B7 build guide's packages for the client on Debian and Ubuntu. */
export const DEBIAN_BUILD_PACKAGES =
  'binutils-dev cmake fonts-dejavu-core libfontconfig-dev gcc g++ pkg-config libegl-dev libgl-dev libgles-dev libspice-protocol-dev nettle-dev libx11-dev libxcursor-dev libxi-dev libxinerama-dev libxpresent-dev libxss-dev libxkbcommon-dev libwayland-dev wayland-protocols libpipewire-0.3-dev libpulse-dev libsamplerate0-dev';

const FROM_SOURCE = [
  'Download the source of your release from https://looking-glass.io/downloads and unpack it',
  'mkdir client/build && cd client/build && cmake ../ && make',
  'sudo make install   # or run ./looking-glass-client from the build folder',
];

const KVMFR_DKMS = 'kvmfr is not part of the kernel: from the same source, sudo apt install linux-headers-$(uname -r) dkms (or your distribution\'s kernel headers and dkms), then in module/: sudo dkms install "."';

export const LG_CLIENT_INSTALL: Record<LgDistroFamily, LgClientInstall> = {
  debian: {
    how: 'Debian and Ubuntu have no package of the client: build it from the source of your release.',
    commands: [`sudo apt install ${DEBIAN_BUILD_PACKAGES}`, ...FROM_SOURCE],
    kvmfr: KVMFR_DKMS,
  },
  fedora: {
    how: 'Fedora (and Bazzite) get the client from a community COPR repository (look for looking-glass at https://copr.fedorainfracloud.org and pick one that builds your release), or build it from source.',
    commands: ['sudo dnf copr enable OWNER/PROJECT   # the COPR you picked', 'sudo dnf install looking-glass-client'],
    kvmfr: 'kvmfr: an akmod/DKMS package from a COPR (Bazzite ships it), or from the source: sudo dnf install kernel-devel dkms, then in module/: sudo dkms install "."',
  },
  arch: {
    how: 'Arch Linux: the AUR package looking-glass (the client, the current release).',
    commands: ['git clone https://aur.archlinux.org/looking-glass.git && cd looking-glass && makepkg -si   # or: yay -S looking-glass'],
    kvmfr: 'kvmfr: the AUR package looking-glass-module-dkms (DKMS rebuilds it for each kernel).',
  },
  suse: {
    how: 'openSUSE: build the client from the source of your release (the build packages are the Debian list under their openSUSE names).',
    commands: FROM_SOURCE,
    kvmfr: KVMFR_DKMS,
  },
  other: {
    how: 'Build the client from the source of your release (https://looking-glass.io/downloads), or use your distribution\'s package if it has one.',
    commands: FROM_SOURCE,
    kvmfr: KVMFR_DKMS,
  },
};
