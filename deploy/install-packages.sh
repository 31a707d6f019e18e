#!/usr/bin/env bash
# The Debian packages a powtracker installation runs on, beside PostgreSQL 15 and Redis:
# HAProxy (load balancer), PgBouncer (connection pooler) and pgBackRest (backups, WAL archive,
# point-in-time restore). Idempotent and quiet: installs only what is missing, and only once
# runs `apt-get update`. Run as root (or with sudo). The drill (`make drill`) and CI call it.
#
# Debian ships each of them with a service of its own (haproxy, pgbouncer) that starts on
# installation with the packaged configuration; on a machine whose services are managed by
# systemd, that is the unit README "Deploying" configures. The drill never uses them: it runs
# its own processes on its own ports.
set -euo pipefail

packages=(haproxy pgbouncer pgbackrest)
[ "${1:-}" = "--with-postgresql" ] && packages+=(postgresql-15 postgresql-contrib redis-server)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
        missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "deploy/install-packages.sh: installing ${missing[*]} needs root (sudo $0)" >&2
    exit 1
fi
echo "Installing Debian's ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d 101: the packages' own services are not started by the installation (a machine
# without systemd, CI, or one where the ports are someone else's); README "Deploying" starts them.
policy=/usr/sbin/policy-rc.d
made_policy=false
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    made_policy=true
fi
trap '[ "$made_policy" = true ] && rm -f "$policy"' EXIT
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
