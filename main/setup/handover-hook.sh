#!/bin/sh
# vitrine-handover-hook 1
# Written by Vitrine (GPU passthrough). Undo in Vitrine (or vitrine setup rollback) to remove it.
#
# libvirt runs this as root for every VM: $1 the domain, $2 the operation,
# $3 the sub-operation, the domain XML on stdin. It acts only on VMs whose
# Vitrine metadata says <vitrine:handover mode="vm-start"/>, and only on the
# GPU functions listed in vitrine-handover.conf (root-owned, beside it):
#   prepare/begin  stop what holds the card, unbind the consoles and the boot
#                  framebuffer, unbind the card's functions from their driver
#                  (that card only, never a module unload); libvirt's managed
#                  hostdevs then move them to vfio-pci
#   started/begin  mark the handover as done (the watchdog stands down)
#   release/end    undo exactly what the state file records, in reverse
# It never evaluates text, never calls back into libvirt (the daemon waits
# on this hook), never reads the domain's description. Log:
# /var/log/vitrine/hook-NAME.log; what it changed: /run/vitrine/hook/NAME.state.
set -u
umask 022
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

NAME=${1:-}
OP=${2:-}
SUB=${3:-}
SELF=$0

case "$OP/$SUB" in
  prepare/begin | started/begin | release/end | watchdog/run) ;;
  *)
    cat >/dev/null 2>&1
    exit 0
    ;;
esac

# ---------------------------------------------------------------- settings
HOOK_DIR=$(dirname -- "$SELF")
case "$HOOK_DIR" in
  */qemu.d) CONF_DIR=$(dirname -- "$HOOK_DIR") ;;
  *) CONF_DIR=$HOOK_DIR ;;
esac
CONF=$CONF_DIR/vitrine-handover.conf

SYS=/sys
PROC=/proc
STATE_DIR=/run/vitrine/hook
LOG_DIR=/var/log/vitrine
SYSTEMCTL=/usr/bin/systemctl
DISPLAY_MANAGER=display-manager.service
STOP_DM=no
WATCHDOG=120
SETTLE=1
GPUS=""

plain_path() {
  case "$1" in
    /*) ;;
    *) return 1 ;;
  esac
  case "$1" in
    *[!A-Za-z0-9._/-]* | */../* | */.. | *//*) return 1 ;;
  esac
  return 0
}

valid_address() {
  case "$1" in
    [0-9a-f][0-9a-f][0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f].[0-7]) return 0 ;;
  esac
  return 1
}

valid_word() {
  case "$1" in
    '' | *[!A-Za-z0-9._@-]*) return 1 ;;
  esac
  return 0
}

read_conf() {
  [ -f "$CONF" ] && [ ! -h "$CONF" ] || return 1
  # Root-owned and writable by no one else, or it is not trusted.
  owner=$(stat -c '%u %a' -- "$CONF") || return 1
  case "$owner" in
    "0 "[0-7][0145][0145] | "0 "[0-7][0-7][0145][0145]) ;;
    *) return 1 ;;
  esac
  while IFS='=' read -r key value; do
    case "$key" in
      '' | '#'*) continue ;;
      gpu) valid_address "$value" && GPUS="$GPUS $value" ;;
      stop_display_manager) [ "$value" = yes ] && STOP_DM=yes ;;
      display_manager) valid_word "$value" && DISPLAY_MANAGER=$value ;;
      watchdog_seconds) case "$value" in '' | *[!0-9]*) ;; *) WATCHDOG=$value ;; esac ;;
      settle_seconds) case "$value" in '' | *[!0-9]*) ;; *) SETTLE=$value ;; esac ;;
      sysfs_root) plain_path "$value" && SYS=$value ;;
      proc_root) plain_path "$value" && PROC=$value ;;
      state_dir) plain_path "$value" && STATE_DIR=$value ;;
      log_dir) plain_path "$value" && LOG_DIR=$value ;;
      systemctl) plain_path "$value" && SYSTEMCTL=$value ;;
    esac
  done <"$CONF"
  return 0
}

# --------------------------------------------------------------- the domain
# Only a name Vitrine gives can be handed over (it becomes a file name).
name_ok() {
  case "$NAME" in
    '' | .* | *[!A-Za-z0-9._-]*) return 1 ;;
  esac
  [ "${#NAME}" -le 100 ]
}

# Whether the domain XML (stdin) carries Vitrine's handover mark. libvirt
# formats the XML itself: <metadata> at two spaces, Vitrine's element at
# four, its children at six. Only that block is looked at: never the
# description or another program's metadata.
wants_handover() {
  awk '
    /^  <metadata>$/ { meta = 1; next }
    /^  <\/metadata>$/ { meta = 0; next }
    meta && !ours && /^    <[A-Za-z_][A-Za-z0-9_.-]*:vm xmlns:[A-Za-z_][A-Za-z0-9_.-]*="urn:vitrine:vm:1">$/ {
      line = $0; sub(/^    </, "", line); prefix = line; sub(/:.*/, "", prefix)
      decl = line; sub(/^[^ ]* xmlns:/, "", decl); sub(/=.*/, "", decl)
      if (decl == prefix) { ours = 1 }
      next
    }
    ours && $0 == "    </" prefix ":vm>" { ours = 0; next }
    ours && $0 == "      <" prefix ":handover mode=\"vm-start\"/>" { found = 1 }
    END { exit found ? 0 : 1 }
  '
}

# ------------------------------------------------------------------ logging
LOG=/dev/null
log() {
  printf '%s %s %s/%s: %s\n' "$(date -u '+%Y-%m-%dT%H:%M:%SZ')" "$NAME" "$OP" "$SUB" "$*" >>"$LOG" 2>/dev/null
}
fail() {
  log "FAILED: $*"
  printf 'vitrine hook: %s (see %s)\n' "$*" "$LOG" >&2
}

# Write a value to a sysfs file, logged; a write that fails is logged and reported.
put() {
  if printf '%s\n' "$2" >"$1" 2>/dev/null; then
    log "wrote '$2' to ${1#"$SYS"}"
    return 0
  fi
  log "could not write '$2' to ${1#"$SYS"}"
  return 1
}

# ------------------------------------------------------------------- state
STATE=""
record() { printf '%s\n' "$*" >>"$STATE"; }

# Processes (pid comm) holding one of the given device nodes open.
holders() {
  for fd in "$PROC"/[0-9]*/fd/*; do
    [ -h "$fd" ] || continue
    target=$(readlink -- "$fd" 2>/dev/null) || continue
    for node in "$@"; do
      if [ "$target" = "$node" ]; then
        pid=${fd#"$PROC"/}
        pid=${pid%%/*}
        comm=$(cat -- "$PROC/$pid/comm" 2>/dev/null || echo '?')
        printf '%s(%s) ' "$comm" "$pid"
      fi
    done
  done
}

# The /dev nodes of one PCI function: its DRM card and render nodes, its NVIDIA minor.
nodes_of() {
  dev=$SYS/bus/pci/devices/$1
  for d in "$dev"/drm/card* "$dev"/drm/renderD*; do
    [ -d "$d" ] && printf '/dev/dri/%s\n' "${d##*/}"
  done
  info=$PROC/driver/nvidia/gpus/$1/information
  if [ -f "$info" ]; then
    minor=$(awk -F: '$1 == "Device Minor" { gsub(/[ \t]/, "", $2); print $2 }' "$info")
    case "$minor" in '' | *[!0-9]*) ;; *) printf '/dev/nvidia%s\n' "$minor" ;; esac
  fi
}

restore() {
  [ -f "$STATE" ] || {
    log "nothing to restore (no state file)"
    return 0
  }
  log "restoring from $STATE"
  status=0
  # Reverse order: the last change is undone first.
  reversed=$(awk '{ line[NR] = $0 } END { for (i = NR; i > 0; i--) print line[i] }' "$STATE")
  while read -r kind a b; do
    case "$kind" in
      unbound)
        if ! valid_address "$a" || ! valid_word "$b"; then continue; fi
        dev=$SYS/bus/pci/devices/$a
        if [ -e "$dev/driver_override" ]; then put "$dev/driver_override" "" || true; fi
        current=""
        [ -h "$dev/driver" ] && current=$(basename -- "$(readlink -- "$dev/driver")")
        if [ "$current" = "$b" ]; then
          log "$a is back on $b"
        else
          if [ -n "$current" ]; then put "$dev/driver/unbind" "$a" || status=1; fi
          put "$SYS/bus/pci/drivers/$b/bind" "$a" || {
            fail "the card did not come back: $a could not be bound to $b"
            status=1
          }
        fi
        ;;
      framebuffer)
        if ! valid_word "$a" || ! valid_word "$b"; then continue; fi
        put "$SYS/bus/platform/drivers/$a/bind" "$b" || status=1
        ;;
      vtcon)
        valid_word "$a" || continue
        put "$SYS/class/vtconsole/$a/bind" 1 || status=1
        ;;
      service)
        valid_word "$a" || continue
        if "$SYSTEMCTL" start "$a" >>"$LOG" 2>&1; then log "started $a"; else
          fail "could not start $a again"
          status=1
        fi
        ;;
    esac
  done <<EOF
$reversed
EOF
  rm -f -- "$STATE" "$STATE.running"
  for gpu in $GPUS; do
    [ "$(cat -- "$STATE_DIR/card-$gpu.owner" 2>/dev/null)" = "$NAME" ] && rm -f -- "$STATE_DIR/card-$gpu.owner"
  done
  if [ "$status" = 0 ]; then log "restored"; else log "restored with errors"; fi
  return "$status"
}

service_active() { "$SYSTEMCTL" is-active --quiet "$1" >/dev/null 2>&1; }

stop_service() {
  if service_active "$1"; then
    if "$SYSTEMCTL" stop "$1" >>"$LOG" 2>&1; then
      record service "$1"
      log "stopped $1"
    else
      fail "the display manager would not stop: $1"
      return 1
    fi
  fi
  return 0
}

prepare() {
  [ -n "$GPUS" ] || {
    fail "no GPU is listed in $CONF"
    return 1
  }
  if [ -f "$STATE" ]; then
    log "a state file from an earlier start is still there: restoring it first"
    restore || true
  fi
  for gpu in $GPUS; do
    [ -e "$SYS/bus/pci/devices/$gpu" ] || {
      fail "$gpu is not on this host (did a BIOS update renumber the PCI devices?)"
      return 1
    }
    owner=$(cat -- "$STATE_DIR/card-$gpu.owner" 2>/dev/null || true)
    if [ -n "$owner" ] && [ "$owner" != "$NAME" ]; then
      fail "$gpu is already handed over to the VM $owner"
      return 1
    fi
  done
  : >"$STATE"
  for gpu in $GPUS; do printf '%s\n' "$NAME" >"$STATE_DIR/card-$gpu.owner"; done

  # 1. what uses the card
  if [ "$STOP_DM" = yes ]; then
    stop_service "$DISPLAY_MANAGER" || return 1
  fi
  for gpu in $GPUS; do
    [ -h "$SYS/bus/pci/devices/$gpu/driver" ] || continue
    case "$(basename -- "$(readlink -- "$SYS/bus/pci/devices/$gpu/driver")")" in
      nvidia) stop_service nvidia-persistenced.service || return 1 ;;
    esac
  done

  # 2. consoles and the boot framebuffer (only when the desktop was stopped: the boot card)
  if [ "$STOP_DM" = yes ]; then
    for vt in "$SYS"/class/vtconsole/vtcon*; do
      [ -f "$vt/bind" ] || continue
      [ "$(cat -- "$vt/bind")" = 1 ] || continue
      case "$(cat -- "$vt/name" 2>/dev/null)" in
        *"frame buffer"*)
          put "$vt/bind" 0 || return 1
          record vtcon "${vt##*/}"
          ;;
      esac
    done
    for pair in efi-framebuffer:efi-framebuffer.0 simple-framebuffer:simple-framebuffer.0 vesa-framebuffer:vesa-framebuffer.0; do
      driver=${pair%%:*}
      device=${pair#*:}
      if [ -e "$SYS/bus/platform/drivers/$driver/$device" ]; then
        put "$SYS/bus/platform/drivers/$driver/unbind" "$device" || {
          fail "the framebuffer is busy: $device would not unbind"
          return 1
        }
        record framebuffer "$driver" "$device"
      fi
    done
    [ "$SETTLE" -gt 0 ] && sleep "$SETTLE"
  fi

  # 3. nothing may still hold the card
  nodes=""
  for gpu in $GPUS; do nodes="$nodes $(nodes_of "$gpu")"; done
  # shellcheck disable=SC2086 # one argument per node
  held=$(holders $nodes)
  # The session's programs may take a moment to exit after the display manager stops.
  tries=0
  while [ -n "$held" ] && [ "$STOP_DM" = yes ] && [ "$SETTLE" -gt 0 ] && [ "$tries" -lt 10 ]; do
    sleep 1
    tries=$((tries + 1))
    # shellcheck disable=SC2086 # one argument per node
    held=$(holders $nodes)
  done
  if [ -n "$held" ]; then
    fail "the driver is still in use: $held hold the card; close them and start again"
    return 1
  fi

  # 4. each function off its driver (that card only; libvirt binds vfio-pci)
  for gpu in $GPUS; do
    dev=$SYS/bus/pci/devices/$gpu
    [ -h "$dev/driver" ] || continue
    driver=$(basename -- "$(readlink -- "$dev/driver")")
    valid_word "$driver" || continue
    [ "$driver" = vfio-pci ] && continue
    put "$dev/driver/unbind" "$gpu" || {
      fail "the driver is still in use: $driver would not let go of $gpu"
      return 1
    }
    record unbound "$gpu" "$driver"
    put "$dev/driver_override" vfio-pci || return 1
  done
  log "the card is free"
  return 0
}

# Restore the host if the VM has not started within the timeout.
start_watchdog() {
  [ "$WATCHDOG" -gt 0 ] || return 0
  (
    sleep "$WATCHDOG"
    "$SELF" "$NAME" watchdog run </dev/null
  ) </dev/null >/dev/null 2>&1 &
  log "watchdog: the host is restored if $NAME is not running in $WATCHDOG s"
}

# ------------------------------------------------------------------- main
if [ "$OP" = watchdog ]; then
  read_conf || exit 0
  name_ok || exit 0
  LOG=$LOG_DIR/hook-$NAME.log
  STATE=$STATE_DIR/$NAME.state
  if [ -f "$STATE" ] && [ ! -f "$STATE.running" ]; then
    fail "watchdog: $NAME did not reach running in $WATCHDOG s; giving the card back"
    restore
  fi
  exit 0
fi

if [ "$OP" = prepare ]; then
  XML=$(cat)
  printf '%s\n' "$XML" | wants_handover || exit 0
else
  cat >/dev/null 2>&1
fi

if ! name_ok; then
  [ "$OP" = prepare ] && printf 'vitrine hook: the VM name %s cannot be used for a GPU handover (letters, digits, . _ - only)\n' "$NAME" >&2 && exit 1
  exit 0
fi
read_conf || {
  if [ "$OP" = prepare ]; then
    printf 'vitrine hook: %s is missing or not root-owned; prepare the host again in Vitrine\n' "$CONF" >&2
    exit 1
  fi
  exit 0
}
STATE=$STATE_DIR/$NAME.state
# Only a VM this hook handed the card to has anything to mark or give back.
[ "$OP" = prepare ] || [ -f "$STATE" ] || exit 0
mkdir -p -- "$LOG_DIR" "$STATE_DIR" 2>/dev/null
LOG=$LOG_DIR/hook-$NAME.log

case "$OP" in
  prepare)
    log "handing over$GPUS (stop display manager: $STOP_DM)"
    if prepare; then
      start_watchdog
      exit 0
    fi
    restore || true
    exit 1
    ;;
  started)
    [ -f "$STATE" ] || exit 0
    : >"$STATE.running"
    log "$NAME is running"
    exit 0
    ;;
  release)
    [ -f "$STATE" ] || exit 0
    restore || exit 0
    exit 0
    ;;
esac
exit 0
