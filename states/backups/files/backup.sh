#!/bin/sh
# Managed by brine (states/backups): {{pillar.project_name}}'s backups. Run by
# {{pillar.project_name}}-backup.service; `record` (its ExecStopPost) appends the result to
# brine's run log, so `brine history` shows it next to the applies.
set -eu
umask 077
project={{pillar.project_name}}
dir=/var/backups/$project
keep={{default pillar.backups.keep 7}}
note=${RUNTIME_DIRECTORY:-/run/$project-backup}/note
started=${RUNTIME_DIRECTORY:-/run/$project-backup}/started

# Data directories to archive (those that exist), one per line: the app's data, outside its
# releases — /var/lib/<project_name>, where every app.data_dirs entry lives.
data_dirs() {
  cat <<'BRINE_DATA_DIRS'
/var/lib/{{pillar.project_name}}
BRINE_DATA_DIRS
}

offsite() {
  cat <<'BRINE_OFFSITE'
{{#if pillar.backups.offsite}}{{pillar.backups.offsite}}{{/if}}
BRINE_OFFSITE
}

step() { printf '%s' "$1" >"$note"; }

record() {
  # $SERVICE_RESULT, $EXIT_CODE and $EXIT_STATUS are systemd's (ExecStopPost=).
  end=$(date +%s%3N)
  if [ -s "$started" ]; then read -r begin when <"$started"; else begin=$end when=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ); fi
  status=${EXIT_STATUS:-1}
  case $status in *[!0-9]*|'') status=1 ;; esac
  [ "${SERVICE_RESULT:-success}" = success ] || [ "$status" != 0 ] || status=1
  what=$(cat "$note" 2>/dev/null || true)
  [ "$status" = 0 ] || what="backup failed (${SERVICE_RESULT:-unknown}, exit ${EXIT_STATUS:-?}) during: $what; see journalctl -u $project-backup"
  mkdir -p -m 700 /var/log/brine
  printf '{"when":"%s","durationMs":%s,"who":"%s","host":"%s","env":%s,"states":["backups"],"exitCode":%s,"changed":[],"note":"%s"}\n' \
    "$when" "$((end - begin))" "$project-backup.service" "$(hostname)" '{{json env}}' "$status" "$what" >>/var/log/brine/runs.jsonl
}

if [ "${1:-}" = record ]; then record; exit 0; fi

printf '%s %s\n' "$(date +%s%3N)" "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" >"$started"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p -m 700 "$dir"
done_=''

{{#each facts.roles}}
{{#if (eq this "db")}}
step "database dump"
# The superuser reads every table; the dump is written by root, root-only.
runuser -u postgres -- pg_dump -Fc --dbname="$project" >"$dir/$project-$stamp.dump.part"
mv "$dir/$project-$stamp.dump.part" "$dir/$project-$stamp.dump"
done_="$done_ $project-$stamp.dump ($(du -k "$dir/$project-$stamp.dump" | cut -f1) KiB)"
{{/if}}
{{/each}}

step "data directories"
set --
while IFS= read -r d; do
  [ -n "$d" ] && [ -e "$d" ] && set -- "$@" "${d#/}"
done <<EOF_DIRS
$(data_dirs)
EOF_DIRS
if [ $# -gt 0 ]; then
  tar -C / -czf "$dir/$project-$stamp-files.tar.gz.part" -- "$@"
  mv "$dir/$project-$stamp-files.tar.gz.part" "$dir/$project-$stamp-files.tar.gz"
  done_="$done_ $project-$stamp-files.tar.gz ($(du -k "$dir/$project-$stamp-files.tar.gz" | cut -f1) KiB)"
fi

step "keeping the newest $keep"
for pattern in "$project-*.dump" "$project-*-files.tar.gz"; do
  # UTC stamps sort by name; everything but the newest $keep goes.
  ls -1 "$dir" | grep -x -- "$(printf '%s' "$pattern" | sed 's/[.]/[.]/g; s/[*]/.*/')" | sort | head -n "-$keep" | while IFS= read -r old; do rm -f -- "$dir/$old"; done
done

target=$(offsite)
if [ -n "$target" ]; then
  step "offsite copy"
  known=/etc/$project/backup-known-hosts
  if [ -s "$known" ]; then check="-o UserKnownHostsFile=$known -o StrictHostKeyChecking=yes"
  else check="-o UserKnownHostsFile=/var/lib/$project-backup-known-hosts -o StrictHostKeyChecking=accept-new"; fi
  # rsync splits -e into words itself (no shell); these paths hold no spaces.
  rsync -a -e "ssh -i /etc/$project/backup-ssh-key -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=30 $check" -- "$dir/" "$target/"
  done_="$done_, copied offsite"
fi
step "${done_# }"
