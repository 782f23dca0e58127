#!/bin/sh
# Managed by brine (states/backups): restore {{pillar.project_name}}'s database from a dump made
# by {{pillar.project_name}}-backup (default: the newest in /var/backups/{{pillar.project_name}}).
#   sudo {{pillar.project_name}}-restore [/var/backups/{{pillar.project_name}}/{{pillar.project_name}}-STAMP.dump]
# The database is dropped and created anew from the dump (its owner, the role, must exist:
# brine's postgres state makes it). Connections to it are ended first.
set -eu
project={{pillar.project_name}}
dump=${1:-$(ls -1 /var/backups/$project/$project-*.dump 2>/dev/null | sort | tail -n 1)}
if [ -z "$dump" ] || [ ! -r "$dump" ]; then
  echo "$project-restore: no dump to restore (looked for /var/backups/$project/$project-*.dump)" >&2
  exit 1
fi
echo "restoring database $project from $dump"
runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -d postgres \
  -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$project' AND pid <> pg_backend_pid()" >/dev/null
# Read by root, fed to pg_restore on stdin: the postgres user needs no access to the backups.
runuser -u postgres -- pg_restore --clean --if-exists --create --exit-on-error --dbname=postgres <"$dump"
echo "restored"
