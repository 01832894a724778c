# shellcheck shell=bash
# Shared set-up for scripts/test.sh and scripts/run.sh. Source it, do not execute it.
#
#   signalbox_ensure_packages        apt-get install what is missing (root, Debian 12)
#   signalbox_ensure_broker          local RabbitMQ on 127.0.0.1 unless SIGNALBOX_AMQP_URL is set
#   signalbox_export_test_env        SIGNALBOX_TEST_* variables for the test suite (creates the two
#                                    tenant test users when rabbitmqctl reaches the node)
#   signalbox_ensure_restartable_broker
#                                    a second local node that the broker-restart test may stop and
#                                    start; exports SIGNALBOX_TEST_RESTARTABLE_* (none with
#                                    SIGNALBOX_AMQP_URL)
#
# Knobs (environment):
#   SIGNALBOX_AMQP_URL        use this broker; nothing is installed as a service, nothing is started
#   SIGNALBOX_RABBITMQ_DIR    data, logs, config and TLS files of the local broker
#                             (default /tmp/signalbox-rabbitmq; no spaces)
#   SIGNALBOX_BROKER_TIMEOUT  seconds to wait for the broker to boot (default 90)
#   SIGNALBOX_RESTARTABLE_RABBITMQ_DIR
#                             data and logs of the restartable node (default
#                             /tmp/signalbox-rabbitmq-restart; no spaces)

SIGNALBOX_APT_PACKAGES=(librabbitmq-dev libsqlite3-dev rabbitmq-server tzdata)
# Helpers the scripts themselves call; present on most images but not on debian:12-slim.
SIGNALBOX_APT_HELPERS=(openssl pkg-config)

SIGNALBOX_RMQ_NODE=rabbit@localhost
SIGNALBOX_RMQCTL=(rabbitmqctl -n "$SIGNALBOX_RMQ_NODE")
SIGNALBOX_LOCAL_AMQP_URL='amqp://guest:guest@127.0.0.1:5672/%2F'
SIGNALBOX_LOCAL_AMQPS_URL='amqps://guest:guest@localhost:5671/%2F'

# Two broker users for the tenancy tests (events.tenantSource userId): each publishes as itself.
# Throwaway passwords on a loopback-only test node.
SIGNALBOX_TENANT_USERS=(signalbox-tenant-a signalbox-tenant-b)

# The broker-restart test stops and starts this node; the shared test node must stay up because
# other suites run on it in parallel. Plain AMQP on loopback, no plugins.
SIGNALBOX_RESTARTABLE_NODE=signalbox-restart@localhost
SIGNALBOX_RESTARTABLE_PORT=5682
SIGNALBOX_RESTARTABLE_DIST_PORT=25682

# Set by signalbox_ensure_broker: external | started | reused-ours | reused-foreign
SIGNALBOX_BROKER_KIND=""

sb_log() { printf '[signalbox] %s\n' "$*" >&2; }
sb_die() {
  printf '[signalbox] ERROR: %s\n' "$*" >&2
  exit 1
}

sb_rmq_dir() { printf '%s' "${SIGNALBOX_RABBITMQ_DIR:-/tmp/signalbox-rabbitmq}"; }

# True when something accepts TCP connections on host:port.
sb_port_open() {
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

sb_pkg_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

# ---------------------------------------------------------------------------------------------
# (a) packages
# ---------------------------------------------------------------------------------------------

signalbox_ensure_packages() {
  local missing=() pkg
  for pkg in "${SIGNALBOX_APT_PACKAGES[@]}" "${SIGNALBOX_APT_HELPERS[@]}"; do
    sb_pkg_installed "$pkg" || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0

  [[ $(id -u) -eq 0 ]] || sb_die "missing apt packages: ${missing[*]} (run as root, or install them first)"
  sb_log "installing apt packages: ${missing[*]}"

  # Installing rabbitmq-server must not start the system-wide service (rabbit@<host>, listening on
  # every interface): we run our own node on 127.0.0.1. Block service starts for the duration of
  # the install unless the machine already has a policy (Docker images do).
  local own_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\n# temporary, written by signalbox scripts/lib/broker.sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  local rc=0
  {
    DEBIAN_FRONTEND=noninteractive apt-get update -q &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  } </dev/null || rc=$?
  ((own_policy)) && rm -f /usr/sbin/policy-rc.d
  ((rc == 0)) || sb_die "apt-get install ${missing[*]} failed (exit $rc)"
  for pkg in "${missing[@]}"; do
    sb_pkg_installed "$pkg" || sb_die "package $pkg is still not installed"
  done
}

# ---------------------------------------------------------------------------------------------
# (b) broker
# ---------------------------------------------------------------------------------------------

# Throwaway CA, server certificate (localhost / 127.0.0.1) and client certificate. Generated once;
# an incomplete set is regenerated as a whole.
sb_generate_certs() {
  local tls="$1/tls" f
  for f in ca.pem server.pem server.key client.pem client.key; do
    [[ -s "$tls/$f" ]] || break
    [[ $f == client.key ]] && return 0
  done
  command -v openssl >/dev/null || sb_die "openssl is not installed"
  sb_log "generating throwaway TLS CA and certificates in $tls"

  local work
  work="$(mktemp -d "$1/tls.XXXXXX")"
  cat >"$work/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = Signalbox test CA
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[server]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
  (
    set -e
    cd "$work"
    openssl req -x509 -config openssl.cnf -extensions v3_ca -newkey rsa:2048 -nodes \
      -days 3650 -keyout ca.key -out ca.pem
    local name
    for name in server client; do
      local cn=localhost
      [[ $name == client ]] && cn=signalbox-test-client
      openssl req -new -config openssl.cnf -newkey rsa:2048 -nodes -subj "/CN=$cn" \
        -keyout "$name.key" -out "$name.csr"
      openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
        -extfile openssl.cnf -extensions "$name" -out "$name.pem"
    done
    openssl verify -CAfile ca.pem server.pem client.pem
    rm -f ./*.csr
  ) >"$work/openssl.log" 2>&1 || {
    cat "$work/openssl.log" >&2
    sb_die "certificate generation failed"
  }
  rm -rf "$tls"
  mv "$work" "$tls"
}

sb_write_broker_config() {
  local dir="$1"
  cat >"$dir/rabbitmq.conf" <<EOF
# Written by signalbox scripts/lib/broker.sh: a throwaway node for development and tests.
listeners.tcp.default = 127.0.0.1:5672
listeners.ssl.default = 127.0.0.1:5671
ssl_options.cacertfile = $dir/tls/ca.pem
ssl_options.certfile = $dir/tls/server.pem
ssl_options.keyfile = $dir/tls/server.key
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = false
EOF
  # No plugins (management would listen on every interface); keeps the boot short.
  printf '[].\n' >"$dir/enabled_plugins"
}

# The error lines and the tail of the logs of the node whose files are in $1 (default: the test node's).
sb_broker_log_tail() {
  local dir="${1:-$(sb_rmq_dir)}" f
  for f in "$dir"/log/*.log "$dir"/log/startup.out; do
    [[ $f == *_upgrade.log ]] && continue
    [[ -f $f ]] || continue
    if grep -q '\[error\]' "$f"; then
      printf '\n----- %s (first error lines) -----\n' "$f" >&2
      grep -m 15 '\[error\]' "$f" >&2
    fi
    printf '\n----- %s (last 40 lines) -----\n' "$f" >&2
    tail -n 40 "$f" >&2
  done
}

# rabbitmqctl against node $1, bounded; an epmd it happens to start listens on loopback only.
sb_ctl_node() {
  local node="$1"
  shift
  ERL_EPMD_ADDRESS=127.0.0.1 timeout 120 rabbitmqctl -n "$node" "$@" </dev/null
}

sb_ctl() {
  sb_ctl_node "$SIGNALBOX_RMQ_NODE" "$@"
}

sb_node_responds() {
  sb_ctl -q status >/dev/null 2>&1
}

# Checks what starting a node as user rabbitmq needs.
sb_require_node_prerequisites() {
  [[ $(id -u) -eq 0 ]] || sb_die "starting a local RabbitMQ node needs root (it runs as user rabbitmq)"
  id rabbitmq >/dev/null 2>&1 || sb_die "user rabbitmq does not exist (is rabbitmq-server installed?)"
  command -v rabbitmq-server >/dev/null || sb_die "rabbitmq-server is not installed"
}

# Starts node $1 with files in $2 (rabbitmq.conf and enabled_plugins written there already),
# distribution on 127.0.0.1:$3, and waits until it runs and every 127.0.0.1 port in $4… accepts
# connections.
sb_launch_node() {
  local node="$1" dir="$2" dist_port="$3"
  shift 3
  local ports=("$@") port
  # The Debian wrapper writes here when it runs as user rabbitmq; the postinst may not have made it.
  mkdir -p /var/log/rabbitmq /var/lib/rabbitmq "$dir/mnesia" "$dir/log"
  chown rabbitmq:rabbitmq /var/log/rabbitmq /var/lib/rabbitmq

  # In the background of its own session (setsid), with every descriptor redirected: it outlives
  # this script and holds neither the caller's pipes nor the set-up lock (fd 9). Not -detached:
  # in the foreground the node prints why it failed to boot into startup.out, and $! tells us
  # when it died. The Debian wrapper (/usr/sbin/rabbitmq-server) switches to user rabbitmq via
  # su, which keeps these variables.
  : >"$dir/log/startup.out"
  chown -R rabbitmq:rabbitmq "$dir"
  env RABBITMQ_NODENAME="$node" \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="${ports[0]}" \
    RABBITMQ_DIST_PORT="$dist_port" \
    RABBITMQ_MNESIA_BASE="$dir/mnesia" \
    RABBITMQ_LOG_BASE="$dir/log" \
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
    RABBITMQ_PID_FILE="$dir/rabbitmq.pid" \
    ERL_CRASH_DUMP="$dir/log/erl_crash.dump" \
    ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}' \
    setsid rabbitmq-server </dev/null >>"$dir/log/startup.out" 2>&1 9>&- &
  local pid=$!

  # await_startup fails at once while the node has not registered with epmd yet: retry until the
  # deadline, and stop early when the node has died.
  local timeout="${SIGNALBOX_BROKER_TIMEOUT:-90}" deadline
  deadline=$((SECONDS + timeout))
  until sb_ctl_node "$node" -q await_startup --timeout 10 >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      sb_broker_log_tail "$dir"
      sb_die "RabbitMQ $node exited during boot (files in $dir)"
    fi
    if ((SECONDS >= deadline)); then
      sb_ctl_node "$node" -q await_startup --timeout 1 >&2 || true
      sb_broker_log_tail "$dir"
      sb_die "RabbitMQ $node did not come up within ${timeout}s (files in $dir)"
    fi
    sleep 2
  done
  for port in "${ports[@]}"; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      sb_port_open 127.0.0.1 "$port" && break
      sleep 1
    done
    if ! sb_port_open 127.0.0.1 "$port"; then
      sb_broker_log_tail "$dir"
      sb_die "RabbitMQ $node booted but 127.0.0.1:$port does not accept connections"
    fi
  done
  sb_log "RabbitMQ $node is up"
}

sb_start_local_broker() {
  local dir
  dir="$(sb_rmq_dir)"
  [[ $dir != *[[:space:]]* ]] || sb_die "SIGNALBOX_RABBITMQ_DIR must not contain spaces: $dir"
  sb_require_node_prerequisites

  mkdir -p "$dir"
  sb_generate_certs "$dir"
  sb_write_broker_config "$dir"
  chown -R rabbitmq:rabbitmq "$dir"
  chmod 0750 "$dir/tls"
  chmod 0640 "$dir"/tls/*.key
  chmod 0644 "$dir"/tls/*.pem

  sb_log "starting RabbitMQ $SIGNALBOX_RMQ_NODE on 127.0.0.1:5672 (TLS 127.0.0.1:5671), files in $dir"
  sb_launch_node "$SIGNALBOX_RMQ_NODE" "$dir" 25672 5672 5671
}

# Ensures a broker for the tests and the service. Sets SIGNALBOX_BROKER_KIND.
signalbox_ensure_broker() {
  if [[ -n ${SIGNALBOX_AMQP_URL:-} ]]; then
    SIGNALBOX_BROKER_KIND=external
    sb_log "using the broker of SIGNALBOX_AMQP_URL; no local RabbitMQ"
    return 0
  fi

  # Several scripts may run at once (tests of several engineers): one of them starts the node.
  local lock="${SIGNALBOX_RABBITMQ_DIR:-/tmp/signalbox-rabbitmq}.lock"
  exec 9>"$lock"
  flock -w 300 9 || sb_die "timed out waiting for the broker set-up lock $lock"

  if sb_port_open 127.0.0.1 5672; then
    local dir
    dir="$(sb_rmq_dir)"
    if sb_port_open 127.0.0.1 5671 && [[ -s $dir/tls/client.key && -s $dir/rabbitmq.conf ]]; then
      SIGNALBOX_BROKER_KIND=reused-ours
      sb_log "reusing the local RabbitMQ on 127.0.0.1:5672 (TLS on 5671)"
    else
      SIGNALBOX_BROKER_KIND=reused-foreign
      sb_log "reusing the broker already listening on 127.0.0.1:5672 (not ours: no TLS tests)"
    fi
  elif sb_node_responds; then
    # The node runs but its listener is not up (yet): wait for it rather than start a twin.
    sb_log "node $SIGNALBOX_RMQ_NODE is running without an AMQP listener yet; waiting"
    sb_ctl -q await_startup --timeout "${SIGNALBOX_BROKER_TIMEOUT:-90}" >&2 ||
      sb_die "node $SIGNALBOX_RMQ_NODE runs but does not finish booting"
    sb_port_open 127.0.0.1 5672 || sb_die "node $SIGNALBOX_RMQ_NODE runs but 127.0.0.1:5672 is closed"
    SIGNALBOX_BROKER_KIND=reused-foreign
    sb_port_open 127.0.0.1 5671 && [[ -s $(sb_rmq_dir)/tls/client.key ]] && SIGNALBOX_BROKER_KIND=reused-ours
  else
    sb_start_local_broker
    SIGNALBOX_BROKER_KIND=started
  fi

  flock -u 9
  exec 9>&-
}

sb_restartable_dir() { printf '%s' "${SIGNALBOX_RESTARTABLE_RABBITMQ_DIR:-/tmp/signalbox-rabbitmq-restart}"; }

# Starts the restartable node unless it runs; exports its URL and rabbitmqctl command line.
signalbox_ensure_restartable_broker() {
  if [[ -n ${SIGNALBOX_AMQP_URL:-} ]]; then
    sb_log "external broker (SIGNALBOX_AMQP_URL): no restartable node; the broker-restart test skips (fails in CI)"
    return 0
  fi
  local node="$SIGNALBOX_RESTARTABLE_NODE" port="$SIGNALBOX_RESTARTABLE_PORT" dir
  dir="$(sb_restartable_dir)"
  [[ $dir != *[[:space:]]* ]] || sb_die "SIGNALBOX_RESTARTABLE_RABBITMQ_DIR must not contain spaces: $dir"

  exec 8>"$dir.lock"
  flock -w 300 8 || sb_die "timed out waiting for the restartable broker set-up lock $dir.lock"
  if sb_ctl_node "$node" -q ping >/dev/null 2>&1; then
    # A test that was killed between stop_app and start_app leaves the node without its app.
    if ! sb_port_open 127.0.0.1 "$port"; then
      sb_log "restartable node $node runs without its AMQP listener; starting its app"
      sb_ctl_node "$node" -q start_app >&2 || sb_die "rabbitmqctl -n $node start_app failed"
      sb_ctl_node "$node" -q await_startup --timeout "${SIGNALBOX_BROKER_TIMEOUT:-90}" >&2 ||
        sb_die "node $node does not finish booting"
    fi
    sb_log "reusing the restartable RabbitMQ $node on 127.0.0.1:$port"
  elif sb_port_open 127.0.0.1 "$port"; then
    sb_die "127.0.0.1:$port is taken, but not by RabbitMQ node $node"
  else
    sb_require_node_prerequisites
    mkdir -p "$dir"
    cat >"$dir/rabbitmq.conf" <<EOF
# Written by signalbox scripts/lib/broker.sh: a throwaway node the broker-restart test restarts.
listeners.tcp.default = 127.0.0.1:$port
listeners.ssl = none
EOF
    printf '[].\n' >"$dir/enabled_plugins"
    sb_log "starting the restartable RabbitMQ $node on 127.0.0.1:$port, files in $dir"
    sb_launch_node "$node" "$dir" "$SIGNALBOX_RESTARTABLE_DIST_PORT" "$port"
  fi
  flock -u 8
  exec 8>&-

  export SIGNALBOX_TEST_RESTARTABLE_AMQP_URL="amqp://guest:guest@127.0.0.1:$port/%2F"
  export SIGNALBOX_TEST_RESTARTABLE_RABBITMQCTL="rabbitmqctl -n $node"
}

# ---------------------------------------------------------------------------------------------
# (c) exports for the tests
# ---------------------------------------------------------------------------------------------

signalbox_export_test_env() {
  if [[ $SIGNALBOX_BROKER_KIND == external ]]; then
    export SIGNALBOX_TEST_AMQP_URL="${SIGNALBOX_TEST_AMQP_URL:-$SIGNALBOX_AMQP_URL}"
    return 0
  fi
  export SIGNALBOX_TEST_AMQP_URL="${SIGNALBOX_TEST_AMQP_URL:-$SIGNALBOX_LOCAL_AMQP_URL}"

  # rabbitmqctl only when it can actually reach the node (a hand-started broker may be another node).
  if sb_node_responds; then
    export SIGNALBOX_TEST_RABBITMQCTL="${SIGNALBOX_RMQCTL[*]}"
    sb_ensure_tenant_users
  else
    sb_log "rabbitmqctl cannot reach $SIGNALBOX_RMQ_NODE: tests that need it will skip"
  fi

  if [[ $SIGNALBOX_BROKER_KIND == started || $SIGNALBOX_BROKER_KIND == reused-ours ]]; then
    local tls
    tls="$(sb_rmq_dir)/tls"
    export SIGNALBOX_TEST_AMQPS_URL="$SIGNALBOX_LOCAL_AMQPS_URL"
    export SIGNALBOX_TEST_TLS_CA="$tls/ca.pem"
    export SIGNALBOX_TEST_TLS_CERT="$tls/client.pem"
    export SIGNALBOX_TEST_TLS_KEY="$tls/client.key"
  fi
}

# Creates (or resets the password and permissions of) the tenant test users on the local node and
# exports SIGNALBOX_TEST_AMQP_URL_TENANT_A and _B. Idempotent, and safe when several test runs do
# it at once: a user another run just added is only given the same password again.
sb_ensure_tenant_users() {
  local user password suffix
  for user in "${SIGNALBOX_TENANT_USERS[@]}"; do
    password="$user-password"
    if ! sb_ctl -q add_user "$user" "$password" >/dev/null 2>&1; then
      sb_ctl -q change_password "$user" "$password" >/dev/null ||
        sb_die "cannot create or update the broker user $user on $SIGNALBOX_RMQ_NODE"
    fi
    sb_ctl -q set_permissions -p / "$user" '.*' '.*' '.*' >/dev/null ||
      sb_die "cannot give the broker user $user permissions on /"
    suffix="${user##*-}"
    export "SIGNALBOX_TEST_AMQP_URL_TENANT_${suffix^^}=amqp://$user:$password@127.0.0.1:5672/%2F"
  done
}

signalbox_print_test_env() {
  local v
  for v in SIGNALBOX_TEST_AMQP_URL SIGNALBOX_TEST_AMQP_URL_TENANT_A SIGNALBOX_TEST_AMQP_URL_TENANT_B \
    SIGNALBOX_TEST_RABBITMQCTL SIGNALBOX_TEST_AMQPS_URL \
    SIGNALBOX_TEST_TLS_CA SIGNALBOX_TEST_TLS_CERT SIGNALBOX_TEST_TLS_KEY SIGNALBOX_TEST_RESTARTABLE_AMQP_URL \
    SIGNALBOX_TEST_RESTARTABLE_RABBITMQCTL SIGNALBOX_TEST_DATABASE_URL SIGNALBOX_JSONPATH_CTS; do
    [[ -n ${!v:-} ]] && sb_log "$v=${!v}"
  done
  return 0
}
