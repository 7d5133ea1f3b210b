#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL server from Debian's packages on a loopback port, in a
# temp folder, for tests and benchmarks. Usage:
#   eval "$(bash .ci/postgres.sh start [PORT])"   → exports DATABASE_URL and FAULTLINE_PG_DIR
#   bash .ci/postgres.sh stop DIR
set -euo pipefail
cmd=${1:-start}

bin_dir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] || { echo "postgresql is not installed (apt-get install -y postgresql)" >&2; exit 1; }
  echo "$d"
}

case "$cmd" in
  start)
    port=${2:-55432}
    bin=$(bin_dir)
    dir=$(mktemp -d /tmp/faultline-pg.XXXXXX)
    chmod 755 "$dir"
    # Postgres refuses to run as root: run it as the postgres user the package creates.
    run_as=()
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; run_as=(runuser -u postgres --); fi
    "${run_as[@]}" "$bin/initdb" -D "$dir/data" -U faultline --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=100" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "export DATABASE_URL=postgres://faultline@127.0.0.1:$port/postgres"
    echo "export FAULTLINE_PG_DIR=$dir"
    ;;
  stop)
    dir=${2:?usage: postgres.sh stop DIR}
    bin=$(bin_dir)
    run_as=()
    if [ "$(id -u)" = 0 ]; then run_as=(runuser -u postgres --); fi
    "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *) echo "usage: postgres.sh start [PORT] | stop DIR" >&2; exit 254 ;;
esac
