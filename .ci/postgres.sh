#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, on loopback:
#   .ci/postgres.sh start DIR   prints its SQLAlchemy URL
#   .ci/postgres.sh stop DIR
# initdb refuses to run as root: as root, the server runs as `nobody`.
set -euo pipefail
command=$1
dir=$2
initdb=$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
if [ -z "$initdb" ]; then
    echo "no PostgreSQL server binaries (initdb) on this machine" >&2
    exit 3
fi
bin=$(dirname "$initdb")
as_user=()
if [ "$(id -u)" = 0 ]; then
    as_user=(runuser -u nobody --)
fi
case "$command" in
start)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown nobody "$dir"; fi
    "${as_user[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C \
        >"$dir/initdb.log" 2>&1
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${as_user[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null
    echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
    ;;
stop)
    "${as_user[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
