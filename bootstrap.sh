#!/bin/sh
# brine bootstrap: make a Debian/Ubuntu host able to run the brine agent — the distribution's
# nodejs (>= 18) and rsync, and brine's root-only directories. Idempotent; installs nothing else.
# Usage, as root: sh bootstrap.sh VERSION VAR_DIR [DIR...]
#   VERSION: a host already bootstrapped at VERSION is skipped ('' never is); VAR_DIR and DIRs:
#   brine's root-only directories, made 0700 (the marker lives in VAR_DIR). `brine provision`
#   passes them (src/core/host-paths.ts).
set -eu

NODE_MIN=18

say() { printf 'brine-bootstrap: %s\n' "$*"; }
die() { printf 'brine-bootstrap: error: %s\n' "$*" >&2; exit 1; }

# `node --version` ("missing" without one) and its major number (0 then): one node start-up each.
node_version() { node --version 2>/dev/null || echo missing; }
major() {
  v=${1#v}
  case ${v%%.*} in '' | *[!0-9]*) echo 0 ;; *) echo "${v%%.*}" ;; esac
}

has() { command -v "$1" >/dev/null 2>&1; }

# Which node binary is installed (device, inode, size, mtime): an upgrade or removal changes it.
# Cheaper than asking node, which is a node start-up.
node_id() { p=$(command -v node 2>/dev/null) && stat -L -c '%d:%i:%s:%Y' "$p" 2>/dev/null; }

# Who runs `provision` next time: root logs in directly, anyone else comes through sudo.
login() { if [ -n "${SUDO_USER:-}" ]; then echo "sudo=yes"; else echo "sudo=no"; fi; }

dirs_exist() {
  for d in "$@"; do [ -d "$d" ] || return 1; done
}

# A fresh cloud server often runs unattended-upgrades at first boot: wait for dpkg's lock.
APT_LOCK='-o DPkg::Lock::Timeout=300'

apt_install() {
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get $APT_LOCK install -y -q --no-install-recommends "$@"
}

main() {
  [ $# -ge 2 ] || die "usage: bootstrap.sh VERSION VAR_DIR [DIR...]"
  version=$1
  shift
  MARKER=$1/bootstrap.done
  # The marker: this script's version, then the node binary it checked and that node's version.
  marked='' marked_node=''
  [ ! -f "$MARKER" ] || { IFS= read -r marked && IFS= read -r marked_node; } <"$MARKER" || true
  if [ -n "$version" ] && [ "$marked" = "$version" ] && nid=$(node_id) && [ "${marked_node% *}" = "$nid" ] && has rsync && dirs_exist "$@"; then
    say "ok skipped node=${marked_node##* } $(login)"
    return 0
  fi
  [ "$(id -u)" -eq 0 ] || die "must run as root"
  ID='' ID_LIKE=''
  [ ! -r /etc/os-release ] || . /etc/os-release
  case " $ID $ID_LIKE " in
    *" debian "* | *" ubuntu "*) ;;
    *) die "unsupported distribution '${ID:-unknown}': this bootstrap knows Debian and Ubuntu" ;;
  esac
  pkgs=''
  [ "$(major "$(node_version)")" -ge "$NODE_MIN" ] || pkgs=nodejs
  has rsync || pkgs="$pkgs rsync"
  if [ -n "$pkgs" ]; then
    say "installing$pkgs"
    # The package lists are refreshed only when installing from them fails (absent or stale).
    # shellcheck disable=SC2086
    if ! apt_install $pkgs; then
      say "apt-get update"
      # shellcheck disable=SC2086
      apt-get $APT_LOCK update -q
      # shellcheck disable=SC2086
      apt_install $pkgs
    fi
  fi
  node=$(node_version)
  [ "$(major "$node")" -ge "$NODE_MIN" ] ||
    die "the distribution's nodejs is $node; brine needs >= $NODE_MIN"
  for d in "$@"; do
    mkdir -p "$d"
    chown root:root "$d"
    chmod 0700 "$d"
  done
  [ -z "$version" ] || printf '%s\n%s %s\n' "$version" "$(node_id)" "$node" >"$MARKER"
  say "ok installed=$(echo ${pkgs:-nothing} | tr ' ' ,) node=$node $(login)"
}

# Run from a function with stdin closed: when the script itself arrives on stdin (`sh -s`),
# apt-get and friends must not read the rest of it.
main "$@" </dev/null
