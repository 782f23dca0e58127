#!/bin/sh
# Managed by brine (states/hardening). Usage: sysctl-apply check|apply FILE
# Sets the running value of each `key = value` line of FILE that this host may write; FILE
# itself (in /etc/sysctl.d) is what systemd applies at boot. A key the kernel does not let this
# host write (a container shares its host's kernel.* and fs.* settings: /proc/sys is read-only
# there) or does not have is named, never an error. `check` exits 1 when a writable key differs.
set -u
mode=$1
file=$2
differs=0 failed=0 readonly='' missing=''
while IFS= read -r line || [ -n "$line" ]; do
  case $line in '' | '#'* | ';'*) continue ;; esac
  key=$(printf '%s' "${line%%=*}" | tr -d ' \t')
  key=${key#-}
  value=$(printf '%s' "${line#*=}" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
  path=/proc/sys/$(printf '%s' "$key" | tr . /)
  if [ ! -e "$path" ]; then missing="$missing $key"; continue; fi
  [ "$(tr -s '\t' ' ' < "$path")" = "$value" ] && continue
  if [ ! -w "$path" ]; then readonly="$readonly $key"; continue; fi
  differs=1
  if [ "$mode" = apply ]; then sysctl -q -w "$key=$value" || failed=1; fi
done < "$file"
[ "$mode" = check ] && exit "$differs"
[ -z "$readonly" ] || echo "read-only on this host (a container shares its host's kernel settings), left as they are:$readonly"
[ -z "$missing" ] || echo "not in this kernel:$missing"
exit "$failed"
