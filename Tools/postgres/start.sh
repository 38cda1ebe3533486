#!/usr/bin/env bash
# Starts a scratch PostgreSQL server for the tests and benchmarks (issue 20), on 127.0.0.1 only.
#
#   eval "$(Tools/postgres/start.sh)"     # exports TESTZONE_POSTGRES_URL
#   Tools/postgres/stop.sh                # stops it and removes its data directory
#
# Installs Debian's server package when it is missing (root only: apt-get update, then
# apt-get install -y postgresql-15), initialises a cluster in a new directory under /tmp
# (trust authentication, superuser `testzone`), starts it on a free loopback port with its Unix
# socket in that directory, creates the database `testzone`, records what stop.sh needs in the
# state file (TESTZONE_POSTGRES_STATE, default out/postgres.env) and prints on stdout:
#   export TESTZONE_POSTGRES_URL=postgres://testzone@127.0.0.1:PORT/testzone
# Everything else goes to stderr. The server refuses to run as root, so as root it runs as the
# `postgres` user (runuser). Exit status: 0 started; 1 could not start (the reason on stderr).
set -euo pipefail
cd "$(dirname "$0")/../.."
STATE=${TESTZONE_POSTGRES_STATE:-out/postgres.env}
PACKAGE=${TESTZONE_POSTGRES_PACKAGE:-postgresql-15}
say() { echo "postgres: $*" >&2; }

if [[ -f $STATE ]]; then
    say "a server from $STATE is still recorded; stopping it first"
    Tools/postgres/stop.sh >&2 || true
fi

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
BIN=$(bindir)
if [[ -z $BIN || ! -x $BIN/initdb ]]; then
    if [[ $(id -u) -ne 0 ]]; then
        say "the PostgreSQL server is not installed and this is not root: apt-get install -y $PACKAGE"
        exit 1
    fi
    say "installing $PACKAGE"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq "$PACKAGE" >&2
    BIN=$(bindir)
    [[ -n $BIN && -x $BIN/initdb ]] || { say "no initdb after installing $PACKAGE"; exit 1; }
fi

# As root the server runs as `postgres`; otherwise as the caller.
AS=()
if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || { say "no 'postgres' user to run the server as"; exit 1; }
    AS=(runuser -u postgres --)
fi

DIR=$(mktemp -d /tmp/testzone-postgres.XXXXXX)
chmod 700 "$DIR"
[[ ${#AS[@]} -eq 0 ]] || chown postgres: "$DIR"
cleanup_failed() { "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$DIR"; }

if ! "${AS[@]}" "$BIN/initdb" -D "$DIR/data" -U testzone -A trust -E UTF8 --locale=C.UTF-8 \
    >"$DIR/initdb.log" 2>&1; then
    say "initdb failed:"; sed 's/^/  /' "$DIR/initdb.log" >&2
    cleanup_failed; exit 1
fi

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

PORT=""
for attempt in 1 2 3 4 5; do
    candidate=$(free_port)
    if "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $candidate -c unix_socket_directories=$DIR" \
        start >/dev/null 2>&1; then
        PORT=$candidate
        break
    fi
    say "could not start on port $candidate (attempt $attempt)"
done
if [[ -z $PORT ]]; then
    say "the server did not start; its log:"; tail -n 20 "$DIR/server.log" >&2 || true
    cleanup_failed; exit 1
fi

if ! "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U testzone testzone >&2; then
    say "createdb failed"; cleanup_failed; exit 1
fi

URL="postgres://testzone@127.0.0.1:$PORT/testzone"
mkdir -p "$(dirname "$STATE")"
{
    echo "TESTZONE_POSTGRES_DIR=$DIR"
    echo "TESTZONE_POSTGRES_BIN=$BIN"
    echo "TESTZONE_POSTGRES_PORT=$PORT"
    echo "TESTZONE_POSTGRES_URL=$URL"
} >"$STATE"
say "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT, data in $DIR"
echo "export TESTZONE_POSTGRES_URL=$URL"
