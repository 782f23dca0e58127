#!/bin/sh
# Managed by brine (states/hardening). Usage: service-on check|apply UNIT
# Enables and starts UNIT. A container cannot run some of them (auditd needs the kernel's audit
# interface, which stays with the machine's host): there the unit is left enabled for a real host
# and stopped, and that is said instead of failing. Anywhere else a unit that will not start is
# an error. `check` exits 0 when nothing is left to do.
set -u
mode=$1
unit=$2
container=no
systemd-detect-virt --quiet --container && container=yes
if [ "$mode" = check ]; then
  systemctl --quiet is-enabled "$unit" || exit 1
  systemctl --quiet is-active "$unit" && exit 0
  [ "$container" = yes ]
  exit
fi
systemctl enable --quiet "$unit" || exit 1
systemctl restart "$unit" 2>/dev/null && exit 0
if [ "$container" = yes ]; then
  systemctl reset-failed "$unit" 2>/dev/null
  echo "$unit cannot run in this container ($(systemd-detect-virt --container)): enabled, it starts on a real host"
  exit 0
fi
systemctl status --no-pager "$unit" >&2
exit 1
