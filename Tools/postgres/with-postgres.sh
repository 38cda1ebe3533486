#!/usr/bin/env bash
# Runs a command with a scratch PostgreSQL server (issue 20): `make test` runs `swift test`
# through it. With TESTZONE_POSTGRES_URL already set, that server is used and nothing is started.
# Otherwise start.sh starts one (exporting TESTZONE_POSTGRES_URL) and a trap stops it when the
# command ends, however it ends. When it cannot start, the command runs without it and the tests
# that need PostgreSQL skip with a message (they fail instead under CI=true).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
if [[ -z ${TESTZONE_POSTGRES_URL:-} ]]; then
    export TESTZONE_POSTGRES_STATE=${TESTZONE_POSTGRES_STATE:-$HERE/../../out/postgres.env}
    if exports=$("$HERE/start.sh"); then
        trap '"$HERE/stop.sh"' EXIT
        trap 'exit 130' INT TERM
        eval "$exports"
    else
        echo "postgres: not started; the tests that need PostgreSQL will say they are skipped" >&2
    fi
fi
"$@"
