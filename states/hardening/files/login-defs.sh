#!/bin/sh
# Managed by brine (states/hardening). Usage: login-defs check|apply KEY VALUE [KEY VALUE]...
# Sets each KEY's line in /etc/login.defs (the first one, commented out or not; appended if
# none). `check` exits 1 when a key is not set to its value.
set -u
mode=$1
shift
file=/etc/login.defs
while [ $# -ge 2 ]; do
  key=$1 value=$2
  shift 2
  grep -qE "^[[:space:]]*$key[[:space:]]+$value[[:space:]]*\$" "$file" && continue
  [ "$mode" = check ] && exit 1
  if grep -qE "^[[:space:]]*#?[[:space:]]*$key[[:space:]]" "$file"; then
    sed -i -E "0,/^[[:space:]]*#?[[:space:]]*$key[[:space:]].*/s//$key\t$value/" "$file" || exit 1
  else
    printf '%s\t%s\n' "$key" "$value" >> "$file" || exit 1
  fi
done
exit 0
