#!/usr/bin/env bash
# Stops the scratch PostgreSQL server that Tools/postgres/start.sh started and removes its data
# directory (state file: TESTZONE_POSTGRES_STATE, default out/postgres.env). Nothing recorded:
# nothing to do.
set -euo pipefail
cd "$(dirname "$0")/../.."
STATE=${TESTZONE_POSTGRES_STATE:-out/postgres.env}
[[ -f $STATE ]] || exit 0
# shellcheck disable=SC1090
source "$STATE"
AS=()
[[ $(id -u) -ne 0 ]] || AS=(runuser -u postgres --)
if [[ -d ${TESTZONE_POSTGRES_DIR:-}/data ]]; then
    "${AS[@]}" "$TESTZONE_POSTGRES_BIN/pg_ctl" -D "$TESTZONE_POSTGRES_DIR/data" -m fast -w -t 60 stop \
        >/dev/null 2>&1 || "${AS[@]}" "$TESTZONE_POSTGRES_BIN/pg_ctl" -D "$TESTZONE_POSTGRES_DIR/data" \
        -m immediate stop >/dev/null 2>&1 || true
fi
case ${TESTZONE_POSTGRES_DIR:-} in
/tmp/testzone-postgres.*) rm -rf "$TESTZONE_POSTGRES_DIR" ;;
esac
rm -f "$STATE"
echo "postgres: stopped the server on port ${TESTZONE_POSTGRES_PORT:-?}" >&2
