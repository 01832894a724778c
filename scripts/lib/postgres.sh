# shellcheck shell=bash
# A local PostgreSQL for the tests, started the way scripts/lib/broker.sh starts RabbitMQ. Source
# it after broker.sh (it uses sb_log, sb_die and sb_port_open); do not execute it.
#
#   signalbox_ensure_postgres   unless SIGNALBOX_TEST_DATABASE_URL is set: a PostgreSQL server of
#                               its own on 127.0.0.1 (data directory under /tmp, run as user
#                               postgres, reused when already running), a login role `signalbox`
#                               that may create databases, a database `signalbox_test`; exports
#                               SIGNALBOX_TEST_DATABASE_URL
#
# Each test creates a database of its own on that server and drops it afterwards.
#
# Knobs (environment):
#   SIGNALBOX_TEST_DATABASE_URL   use this server (its role must be allowed to CREATE DATABASE,
#                                 and be a member of pg_signal_backend to drop them WITH (FORCE));
#                                 nothing is installed, nothing is started
#   SIGNALBOX_POSTGRES_DIR        data, socket and log of the local server (default
#                                 /tmp/signalbox-postgres; no spaces)
#   SIGNALBOX_POSTGRES_PORT       its port on 127.0.0.1 (default 54329, not 5432: a system server
#                                 may be there)

# The Debian package with the server; the packages step of scripts/test.sh installs it.
SIGNALBOX_POSTGRES_PACKAGES=(postgresql)
# A throwaway password of a role on a loopback-only test server.
SIGNALBOX_POSTGRES_ROLE=signalbox
SIGNALBOX_POSTGRES_PASSWORD=signalbox-test-password
SIGNALBOX_POSTGRES_DATABASE=signalbox_test
# The schema needs PostgreSQL 15 (UNIQUE NULLS NOT DISTINCT).
SIGNALBOX_POSTGRES_MIN_MAJOR=15

sb_pg_dir() { printf '%s' "${SIGNALBOX_POSTGRES_DIR:-/tmp/signalbox-postgres}"; }
sb_pg_port() { printf '%s' "${SIGNALBOX_POSTGRES_PORT:-54329}"; }

# The bin directory of the newest installed server (Debian keeps them in /usr/lib/postgresql/N/bin).
sb_pg_bindir() {
  local dir best="" major best_major=0
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x $dir/postgres && -x $dir/initdb && -x $dir/pg_ctl ]] || continue
    major="$(basename "$(dirname "$dir")")"
    [[ $major =~ ^[0-9]+$ ]] || continue
    if ((major > best_major)); then
      best="$dir"
      best_major=$major
    fi
  done
  [[ -n $best ]] || sb_die "no PostgreSQL server in /usr/lib/postgresql/*/bin (is the postgresql package installed?)"
  ((best_major >= SIGNALBOX_POSTGRES_MIN_MAJOR)) ||
    sb_die "PostgreSQL $best_major found in $best; the store needs $SIGNALBOX_POSTGRES_MIN_MAJOR or later"
  printf '%s' "$best"
}

# Runs a command as user postgres, with no descriptor of ours but the standard three (the set-up
# lock on fd 7 must not outlive this script in the server).
sb_as_postgres() {
  runuser -u postgres -- "$@" 7>&-
}

sb_pg_log_tail() {
  local f
  for f in "$(sb_pg_dir)/postgres.log" "$(sb_pg_dir)/pg_ctl.out"; do
    [[ -f $f ]] || continue
    printf '\n----- %s (last 30 lines) -----\n' "$f" >&2
    tail -n 30 "$f" >&2
  done
}

# psql as the superuser over the server's own socket; extra arguments follow.
sb_pg_psql() {
  sb_as_postgres "$1/psql" -X -q -v ON_ERROR_STOP=1 -h "$(sb_pg_dir)" -p "$(sb_pg_port)" -d postgres "${@:2}" </dev/null
}

sb_start_local_postgres() {
  local bin="$1" dir port
  dir="$(sb_pg_dir)"
  port="$(sb_pg_port)"
  [[ $(id -u) -eq 0 ]] || sb_die "starting a local PostgreSQL needs root (it runs as user postgres)"
  id postgres >/dev/null 2>&1 || sb_die "user postgres does not exist (is the postgresql package installed?)"

  mkdir -p "$dir"
  chown postgres:postgres "$dir"
  chmod 0700 "$dir"
  if [[ -s $dir/data/PG_VERSION ]]; then
    local have want
    have="$(cat "$dir/data/PG_VERSION")"
    want="$(basename "$(dirname "$bin")")"
    [[ $have == "$want" ]] ||
      sb_die "$dir/data holds a PostgreSQL $have cluster, the server is $want: remove $dir to start afresh"
  else
    sb_log "initdb: PostgreSQL cluster in $dir/data"
    rm -rf "$dir/data"
    # Peer authentication on the socket for the superuser; passwords (SCRAM) over TCP.
    sb_as_postgres "$bin/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=peer --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 </dev/null || {
      cat "$dir/initdb.log" >&2
      sb_die "initdb failed (files in $dir)"
    }
  fi

  sb_log "starting PostgreSQL on 127.0.0.1:$port, files in $dir"
  # Its own session (setsid), so that it outlives this script; its output goes to the log file.
  : >"$dir/pg_ctl.out"
  chown postgres:postgres "$dir/pg_ctl.out"
  if ! setsid -w runuser -u postgres -- "$bin/pg_ctl" start -D "$dir/data" -w -t 60 -l "$dir/postgres.log" \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=200" \
    </dev/null >>"$dir/pg_ctl.out" 2>&1 7>&-; then
    sb_pg_log_tail
    sb_die "PostgreSQL did not start (files in $dir)"
  fi
}

# Creates the test role and database unless they exist (and resets the password). The role may
# end others' sessions (pg_signal_backend): a test's `DROP DATABASE … WITH (FORCE)` must also end
# an autovacuum worker that is in its database, and without it PostgreSQL 15 refuses the drop.
sb_ensure_postgres_role() {
  local bin="$1"
  sb_pg_psql "$bin" -c "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$SIGNALBOX_POSTGRES_ROLE') THEN
        CREATE ROLE $SIGNALBOX_POSTGRES_ROLE LOGIN CREATEDB;
      END IF;
    END \$\$" -c "ALTER ROLE $SIGNALBOX_POSTGRES_ROLE LOGIN CREATEDB PASSWORD '$SIGNALBOX_POSTGRES_PASSWORD'" \
    -c "SET client_min_messages = warning" -c "GRANT pg_signal_backend TO $SIGNALBOX_POSTGRES_ROLE" >/dev/null ||
    sb_die "cannot create the PostgreSQL role $SIGNALBOX_POSTGRES_ROLE"
  if [[ -z $(sb_pg_psql "$bin" -At -c "SELECT 1 FROM pg_database WHERE datname = '$SIGNALBOX_POSTGRES_DATABASE'") ]]; then
    sb_pg_psql "$bin" -c "CREATE DATABASE $SIGNALBOX_POSTGRES_DATABASE OWNER $SIGNALBOX_POSTGRES_ROLE" >/dev/null ||
      sb_die "cannot create the PostgreSQL database $SIGNALBOX_POSTGRES_DATABASE"
  fi
}

signalbox_ensure_postgres() {
  if [[ -n ${SIGNALBOX_TEST_DATABASE_URL:-} ]]; then
    sb_log "using the PostgreSQL of SIGNALBOX_TEST_DATABASE_URL; no local PostgreSQL"
    return 0
  fi
  local dir port bin
  dir="$(sb_pg_dir)"
  port="$(sb_pg_port)"
  [[ $dir != *[[:space:]]* ]] || sb_die "SIGNALBOX_POSTGRES_DIR must not contain spaces: $dir"
  bin="$(sb_pg_bindir)"

  # Several scripts may run at once (tests of several engineers): one of them starts the server.
  exec 7>"$dir.lock"
  flock -w 300 7 || sb_die "timed out waiting for the PostgreSQL set-up lock $dir.lock"

  if [[ -s $dir/data/postmaster.pid ]] && sb_as_postgres "$bin/pg_ctl" status -D "$dir/data" >/dev/null 2>&1 &&
    sb_port_open 127.0.0.1 "$port"; then
    sb_log "reusing the local PostgreSQL on 127.0.0.1:$port"
  elif sb_port_open 127.0.0.1 "$port"; then
    sb_die "127.0.0.1:$port is taken, but not by the PostgreSQL of $dir (set SIGNALBOX_POSTGRES_PORT or SIGNALBOX_TEST_DATABASE_URL)"
  else
    sb_start_local_postgres "$bin"
  fi
  sb_ensure_postgres_role "$bin"

  flock -u 7
  exec 7>&-
  export SIGNALBOX_TEST_DATABASE_URL="postgres://$SIGNALBOX_POSTGRES_ROLE:$SIGNALBOX_POSTGRES_PASSWORD@127.0.0.1:$port/$SIGNALBOX_POSTGRES_DATABASE?sslmode=disable"
}
