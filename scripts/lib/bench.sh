# shellcheck shell=bash
# Helpers shared by scripts/bench-*.sh. Source it after lib/broker.sh, do not execute it.
#
#   bench_broker VHOST         packages installed, the local broker running, VHOST usable by guest
#   bench_vhost NAME           the local broker's vhost NAME exists and guest may use it
#   bench_c_tools DIR TOOL…    ../shared/bench's TOOL.c built into DIR (that folder is read-only)
#   bench_field KEY LINE       the value of KEY=value in LINE
#   bench_median NUMBER…       the median
#   bench_free_port            a free TCP port on 127.0.0.1
#   bench_copy_database A B    copies the closed SQLite file A to B, with its write-ahead log
#   bench_amqp_url             exports SIGNALBOX_BENCH_AMQP_URL: as given, else the test broker's
#   bench_build PRODUCT        builds PRODUCT in release mode; prints its binary's path
#
# With lib/postgres.sh sourced too (before bench_broker, with SIGNALBOX_POSTGRES_PACKAGES among
# SIGNALBOX_APT_HELPERS):
#   bench_postgres DIR PORT    a PostgreSQL server of the benchmark's own, started as lib/postgres.sh
#                              starts the test server (its defaults: durable commits), data in DIR,
#                              on 127.0.0.1:PORT, left running for the next run; sets BENCH_PG_BIN
#                              and BENCH_PG_POSTMASTER (the postmaster's PID, whose process tree is
#                              the server's CPU time). Not the shared test server: other checkouts'
#                              tests there would count as the benchmark's CPU time.
#   bench_pg_url DB            the URL of database DB on it, as lib/postgres.sh's role
#   bench_pg_database DB [TEMPLATE]
#                              DB afresh on it (dropped first), owned by that role; a copy of
#                              TEMPLATE when given
#   bench_pg_settings          the server's version and the settings that bear on commit cost

bench_vhost() {
  local rmqctl=(rabbitmqctl -n "$SIGNALBOX_RMQ_NODE" -q)
  "${rmqctl[@]}" list_vhosts name | grep -qx "$1" || "${rmqctl[@]}" add_vhost "$1"
  "${rmqctl[@]}" set_permissions -p "$1" guest '.*' '.*' '.*'
}

bench_broker() {
  signalbox_ensure_packages
  signalbox_ensure_broker
  bench_vhost "$1"
}

bench_c_tools() {
  local dir=$1 tool
  shift
  [[ -f $BENCH/relay.c ]] || sb_die "the C relay is not at $BENCH (expected ../shared next to the repository)"
  for tool in "$@"; do cc -O2 -Wall -I"$BENCH" -o "$dir/$tool" "$BENCH/$tool.c" -lrabbitmq; done
}

bench_field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }

bench_median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

bench_free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

bench_copy_database() {
  rm -f "$2" "$2-wal" "$2-shm"
  cp "$1" "$2"
  if [[ -f $1-wal ]]; then cp "$1-wal" "$2-wal"; fi
}

bench_amqp_url() {
  [[ -n ${SIGNALBOX_BENCH_AMQP_URL:-} ]] && return
  signalbox_ensure_broker
  signalbox_export_test_env
  export SIGNALBOX_BENCH_AMQP_URL="$SIGNALBOX_TEST_AMQP_URL"
}

bench_build() {
  echo "building $1 (release)…" >&2
  swift build -c release --product "$1" >&2
  echo "$(swift build -c release --show-bin-path)/$1"
}

bench_postgres() {
  export SIGNALBOX_POSTGRES_DIR=$1 SIGNALBOX_POSTGRES_PORT=$2
  unset SIGNALBOX_TEST_DATABASE_URL
  signalbox_ensure_postgres
  BENCH_PG_BIN="$(sb_pg_bindir)"
  BENCH_PG_POSTMASTER="$(head -n 1 "$(sb_pg_dir)/data/postmaster.pid")"
}

bench_pg_url() {
  printf 'postgres://%s:%s@127.0.0.1:%s/%s?sslmode=disable' \
    "$SIGNALBOX_POSTGRES_ROLE" "$SIGNALBOX_POSTGRES_PASSWORD" "$(sb_pg_port)" "$1"
}

bench_pg_database() {
  local create="CREATE DATABASE $1 OWNER $SIGNALBOX_POSTGRES_ROLE"
  [[ -n ${2:-} ]] && create+=" TEMPLATE $2"
  sb_pg_psql "$BENCH_PG_BIN" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null
  # A template's last connection may still be closing on the server.
  for _ in {1..10}; do
    sb_pg_psql "$BENCH_PG_BIN" -c "$create" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  sb_pg_psql "$BENCH_PG_BIN" -c "$create" >/dev/null
}

bench_pg_settings() {
  sb_pg_psql "$BENCH_PG_BIN" -At -c "SELECT 'PostgreSQL ' || current_setting('server_version') || ': ' ||
    string_agg(name || '=' || current_setting(name), ' ' ORDER BY name) FROM pg_settings
    WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method', 'full_page_writes', 'commit_delay',
      'shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'wal_level', 'autovacuum')"
}
