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
