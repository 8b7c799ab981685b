# Shared by dev/up and dev/test. Sourced, not run.
#
# Settings (environment variables, all optional):
#   FRAPPE_PATH         a local frappe version-15 checkout to build the bench from (offline install)
#   PUMPURS_BENCH       where the bench lives          (default: ~BENCH_USER/pumpurs-bench)
#   PUMPURS_BENCH_USER  who runs bench when invoked as root (default: pumpurs; bench refuses root)
#   PUMPURS_SITE        the demo site                   (default: pumpurs.localhost)
#   PUMPURS_TEST_SITE   the throwaway test site         (default: pumpurs-test.localhost)
#   PUMPURS_PORT        web port of the demo server     (default: 8000)
#   PUMPURS_PYTHON      Python 3.10–3.12 for the bench  (default: Debian's python3.11)
#   DB_ROOT_USER / DB_ROOT_PASSWORD   a MariaDB account that may create databases and users
#                       (default: one made here, pumpurs_dbadmin, if root can log in without a password)

set -euo pipefail

APP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SITE=${PUMPURS_SITE:-pumpurs.localhost}
TEST_SITE=${PUMPURS_TEST_SITE:-pumpurs-test.localhost}
PORT=${PUMPURS_PORT:-8000}
TEST_PORT=${PUMPURS_TEST_PORT:-8011}
DB_HOST=127.0.0.1
DB_PORT=3306
REDIS_URL=redis://127.0.0.1:6379

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
warn() { printf '\033[33mWARNING: %s\033[0m\n' "$*" >&2; }
die() { printf '\033[31mERROR: %s\033[0m\n' "$*" >&2; exit 1; }

if [ "$(id -u)" = 0 ]; then
	BENCH_USER=${PUMPURS_BENCH_USER:-pumpurs}
else
	BENCH_USER=$(id -un)
fi
BENCH_HOME=$(getent passwd "$BENCH_USER" 2>/dev/null | cut -d: -f6 || true)
[ -n "$BENCH_HOME" ] || BENCH_HOME=/home/$BENCH_USER
BENCH_DIR=${PUMPURS_BENCH:-$BENCH_HOME/pumpurs-bench}
BENCH_CLI=$BENCH_HOME/.pumpurs-bench-cli
STATE_DIR=$BENCH_HOME/.pumpurs  # shared by the user's benches: the database admin's password
RUN_DIR=$BENCH_DIR/.pumpurs       # this bench's own: server pids and logs, migration stamps, checkout copy

# Run a command as the bench user, with the bench CLI on PATH. The rest of the environment (proxy and
# certificate settings, FRAPPE_PATH, CI) is passed on — but not PYTHONDONTWRITEBYTECODE, which some hosts set:
# then every bench command, web and RQ worker compiles frappe again from source (half a second and more on a
# worker's first requests), which a production bench never does.
as_bench() {
	local path="$BENCH_CLI/bin:/usr/local/bin:/usr/bin:/bin"
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$BENCH_USER" -- env -u PYTHONDONTWRITEBYTECODE HOME="$BENCH_HOME" USER="$BENCH_USER" \
			LOGNAME="$BENCH_USER" PATH="$path" UV_NATIVE_TLS=1 "$@"
	else
		env -u PYTHONDONTWRITEBYTECODE PATH="$path:$PATH" UV_NATIVE_TLS=1 "$@"
	fi
}

in_bench() { (cd "$BENCH_DIR" && as_bench "$@"); }

# a bench init that failed or was interrupted leaves its mark beside the bench: such a bench is not one
INIT_MARK="$BENCH_DIR.pumpurs-init"
bench_built() { [ -f "$BENCH_DIR/apps/frappe/frappe/__init__.py" ] && [ -x "$BENCH_DIR/env/bin/python" ]; }
bench_exists() { bench_built && [ ! -e "$INIT_MARK" ]; }

ensure_bench_user() {
	[ "$(id -u)" = 0 ] || return 0
	if ! id "$BENCH_USER" >/dev/null 2>&1; then
		say "Creating user $BENCH_USER to run bench (bench refuses to run as root)"
		useradd --create-home --shell /bin/bash "$BENCH_USER"
		BENCH_HOME=$(getent passwd "$BENCH_USER" | cut -d: -f6)
	fi
}

find_python() {
	local candidate
	for candidate in "${PUMPURS_PYTHON:-}" /usr/bin/python3.11 /usr/bin/python3.12 /usr/bin/python3.10 \
		"$(command -v python3.11 || true)" "$(command -v python3.12 || true)" "$(command -v python3.10 || true)"; do
		[ -n "$candidate" ] && [ -x "$candidate" ] || continue
		# the bench user must be able to run it (root's pyenv is not reachable for them)
		if as_bench "$candidate" -c 'import sys, venv; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' 2>/dev/null; then
			echo "$candidate"
			return 0
		fi
	done
	return 1
}

# --- system packages -------------------------------------------------------------------------------------

missing_packages() {
	local pkgs=()
	command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || pkgs+=(mariadb-server)
	command -v mariadb >/dev/null 2>&1 || pkgs+=(mariadb-client)
	command -v redis-server >/dev/null 2>&1 || pkgs+=(redis-server)
	command -v node >/dev/null 2>&1 || pkgs+=(nodejs npm)
	command -v crontab >/dev/null 2>&1 || pkgs+=(cron)
	command -v git >/dev/null 2>&1 || pkgs+=(git)
	command -v rsync >/dev/null 2>&1 || pkgs+=(rsync)
	command -v curl >/dev/null 2>&1 || pkgs+=(curl)
	command -v wkhtmltopdf >/dev/null 2>&1 || pkgs+=(wkhtmltopdf xfonts-75dpi xfonts-base)  # frappe's PDFs
	[ -x /usr/bin/python3.11 ] || [ -x /usr/bin/python3.12 ] || [ -n "${PUMPURS_PYTHON:-}" ] || pkgs+=(python3 python3-dev)
	python3 -c 'import ensurepip' 2>/dev/null || pkgs+=(python3-venv)
	command -v gcc >/dev/null 2>&1 || pkgs+=(build-essential)
	echo "${pkgs[@]:-}"
}

ensure_system_packages() {
	local pkgs
	pkgs=$(missing_packages)
	if [ -n "$pkgs" ]; then
		if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
			say "Installing system packages: $pkgs"
			DEBIAN_FRONTEND=noninteractive apt-get update -qq
			# shellcheck disable=SC2086
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
		else
			die "missing system packages. Install them, e.g. as root: apt-get install $pkgs"
		fi
	fi
	if ! command -v yarn >/dev/null 2>&1; then
		if [ "$(id -u)" = 0 ]; then
			say "Installing yarn"
			npm install --global --silent yarn >/dev/null
		else
			die "yarn is missing. Install it as root: npm install --global yarn"
		fi
	fi
}

# Debian's Chromium for the browser tests (tests/integration/browser, driven by Playwright). Optional: without
# it those tests are skipped, so only root installs it; Playwright's own browser downloads are never used.
ensure_chromium() {
	[ -x /usr/bin/chromium ] && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		say "Installing Debian's chromium for the browser tests"
		{ DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; } ||
			warn "could not install chromium; the browser tests will be skipped"
	else
		warn "no /usr/bin/chromium: the browser tests will be skipped (as root: apt-get install chromium)"
	fi
}

# --- services --------------------------------------------------------------------------------------------

mariadb_up() { mariadb-admin --host=$DB_HOST --port=$DB_PORT --connect-timeout=2 ping >/dev/null 2>&1 || mariadb-admin --host=$DB_HOST --port=$DB_PORT --user=nobody --connect-timeout=2 ping 2>&1 | grep -q "Access denied"; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

ensure_services() {
	if ! mariadb_up; then
		if [ "$(id -u)" = 0 ]; then
			say "Starting MariaDB"
			if command -v service >/dev/null 2>&1 && service mariadb start >/dev/null 2>&1; then :; else
				mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
				start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
			fi
		else
			die "MariaDB is not running on $DB_HOST:$DB_PORT. Start it (as root: service mariadb start)."
		fi
		for _ in $(seq 30); do mariadb_up && break; sleep 1; done
		mariadb_up || die "MariaDB did not start"
	fi
	if ! redis_up; then
		say "Starting Redis on 127.0.0.1:6379"
		redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
		for _ in $(seq 20); do redis_up && break; sleep 0.5; done
		redis_up || die "Redis did not start"
	fi
}

# A MariaDB account with a password that `bench new-site` can use to create databases.
ensure_db_admin() {
	if [ -n "${DB_ROOT_USER:-}" ]; then
		DB_ADMIN_USER=$DB_ROOT_USER
		DB_ADMIN_PASSWORD=${DB_ROOT_PASSWORD:-}
	else
		DB_ADMIN_USER=pumpurs_dbadmin
		local secret="$STATE_DIR/db-admin-password"
		as_bench mkdir -p "$STATE_DIR"
		if [ ! -s "$secret" ]; then
			as_bench sh -c "umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > '$secret'"
		fi
		DB_ADMIN_PASSWORD=$(cat "$secret")
		local root=(mariadb --host=$DB_HOST --port=$DB_PORT --user=root)
		if [ "$(id -u)" = 0 ] && ! "${root[@]}" -e 'select 1' >/dev/null 2>&1; then
			root=(mariadb --user=root)  # unix socket authentication
		fi
		"${root[@]}" -e 'select 1' >/dev/null 2>&1 ||
			die "cannot log in to MariaDB as root without a password; set DB_ROOT_USER and DB_ROOT_PASSWORD"
		# only from this machine: the commands connect over TCP to 127.0.0.1, which MariaDB names 'localhost'
		# or, with skip_name_resolve, '127.0.0.1'; an account for any host ('%') made by earlier runs goes
		local host sql=""
		for host in localhost 127.0.0.1; do
			sql+="CREATE USER IF NOT EXISTS '$DB_ADMIN_USER'@'$host' IDENTIFIED BY '$DB_ADMIN_PASSWORD';
ALTER USER '$DB_ADMIN_USER'@'$host' IDENTIFIED BY '$DB_ADMIN_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO '$DB_ADMIN_USER'@'$host' WITH GRANT OPTION;
"
		done
		"${root[@]}" <<SQL
$sql
DROP USER IF EXISTS '$DB_ADMIN_USER'@'%';
FLUSH PRIVILEGES;
SQL
	fi
	# Frappe expects utf8mb4 with the unicode collation on the server. A site of the programme's size reads
	# gigabytes of tables: with MariaDB's default 128 MB buffer pool every report and count reads the disk
	# (an exact count of a big partner's consultations 4–10 s instead of 0.1 s), so the pool grows to a quarter
	# of the memory, at most 4 GB; and a report grouping the whole programme's consultations by specialist and
	# month needs in-memory temporary tables of more than the default 16 MB (6.6 s → 1.6 s with 256 MB).
	# Neither ever shrinks (README: Installing into an existing site).
	local memory pool
	memory=$(awk '/^MemTotal/ {print $2 * 1024}' /proc/meminfo)
	pool=$((memory / 4 < 4294967296 ? memory / 4 : 4294967296))
	mariadb --host=$DB_HOST --port=$DB_PORT --user="$DB_ADMIN_USER" --password="$DB_ADMIN_PASSWORD" -e "
		SET GLOBAL character_set_server='utf8mb4'; SET GLOBAL collation_server='utf8mb4_unicode_ci';
		SET GLOBAL innodb_buffer_pool_size = GREATEST(@@innodb_buffer_pool_size, $pool);
		SET GLOBAL tmp_table_size = GREATEST(@@tmp_table_size, 268435456);
		SET GLOBAL max_heap_table_size = GREATEST(@@max_heap_table_size, 268435456);" ||
		die "cannot log in to MariaDB as $DB_ADMIN_USER"
}

# --- the bench -------------------------------------------------------------------------------------------

# Frappe is pinned: overrides.py follows frappe's internal signatures of this release.
FRAPPE_TAG=v15.44.2
FRAPPE_VERSION=15.44.2
BENCH_CLI_VERSION=5.31.0  # the bench CLI these commands are tested with
VENDOR_DIR=${PUMPURS_VENDOR:-$APP_DIR/../shared/vendor}  # git bundles of frappe and air-datepicker (CI)
SOURCE_DIR=$STATE_DIR/frappe-source/$(basename "$BENCH_DIR")  # the bench user's copy its frappe is built from

ensure_bench_cli() {
	if ! as_bench "$BENCH_CLI/bin/bench" --version 2>/dev/null | grep -qx "$BENCH_CLI_VERSION"; then
		say "Installing the bench CLI $BENCH_CLI_VERSION into $BENCH_CLI"
		rm -rf "$BENCH_CLI"
		as_bench "$PYTHON" -m venv "$BENCH_CLI"
		as_bench "$BENCH_CLI/bin/pip" install --quiet --disable-pip-version-check \
			"frappe-bench==$BENCH_CLI_VERSION" "setuptools<80" || die "installing the bench CLI failed"
	fi
}

github_reachable() { timeout 15 git ls-remote --exit-code https://github.com/frappe/frappe "refs/tags/$FRAPPE_TAG" >/dev/null 2>&1; }

# Copy a git repository into a folder the bench user owns, whoever owns the original (git refuses a
# repository of another user, and root's home is not readable by the bench user).
copy_repository() {
	local origin=$1 dest=$2
	shift 2
	as_bench mkdir -p "$(dirname "$dest")"
	rm -rf "$dest"
	git -c safe.directory='*' clone --quiet "$@" "$origin" "$dest" || die "cannot copy $origin"
	[ "$(id -u)" != 0 ] || chown -R "$BENCH_USER": "$dest"
}

# A frappe checkout the bench user owns, at the pinned release, with frappe's air-datepicker dependency
# (package.json takes it from GitHub) pointed at a local copy, committed on the branch `pumpurs-local`
# (bench init clones the checkout's current branch). From FRAPPE_PATH, or from the vendored git bundles.
prepare_frappe_source() {
	local origin=$1 datepicker=$2 ref=$3
	copy_repository "$origin" "$SOURCE_DIR/frappe" --no-checkout
	as_bench git -C "$SOURCE_DIR/frappe" checkout --quiet -B pumpurs-local "$ref" || die "cannot check out $ref of $origin"
	grep -q "^__version__ = \"$FRAPPE_VERSION\"" "$SOURCE_DIR/frappe/frappe/__init__.py" ||
		die "$origin is not frappe $FRAPPE_VERSION (pinned; see dev/lib.sh)"
	local spec dest="$SOURCE_DIR/air-datepicker"
	spec=$(sed -n 's/.*"air-datepicker": "\([^"]*\)".*/\1/p' "$SOURCE_DIR/frappe/package.json")
	case $spec in
	github:*)
		[ -n "$datepicker" ] || return 0  # it will come from GitHub
		copy_repository "$datepicker" "$dest" ;;
	file:"$dest") return 0 ;;
	file:*)  # a local copy named by the checkout (as the README's earlier offline recipe made)
		rm -rf "$dest" && cp -a "${spec#file:}" "$dest" || die "cannot copy the air-datepicker at ${spec#file:}"
		[ "$(id -u)" != 0 ] || chown -R "$BENCH_USER": "$dest" ;;
	esac
	as_bench sed -i 's#"air-datepicker": "[^"]*"#"air-datepicker": "file:'"$dest"'"#' "$SOURCE_DIR/frappe/package.json"
	as_bench git -C "$SOURCE_DIR/frappe" -c user.name=pumpurs -c user.email=pumpurs@localhost \
		commit --quiet -am "Use the local air-datepicker"
}

# The vendored bundles are used only when their checksums match the table in the vendor README.
bundles_ok() {
	local file sum
	for file in "frappe-v$FRAPPE_VERSION.bundle" air-datepicker.bundle; do
		[ -f "$VENDOR_DIR/$file" ] || return 1
		sum=$(grep -F "\`$file\`" "$VENDOR_DIR/README.md" 2>/dev/null | grep -oE '[0-9a-f]{64}' | head -1)
		[ -n "$sum" ] || { warn "$VENDOR_DIR/README.md gives no checksum of $file"; return 1; }
		echo "$sum  $VENDOR_DIR/$file" | sha256sum --check --status || die "$VENDOR_DIR/$file does not match its checksum"
	done
}

ensure_bench() {
	bench_exists && return 0
	if [ -e "$INIT_MARK" ]; then
		warn "removing the half-built bench at $BENCH_DIR left by an earlier run"
		rm -rf "$BENCH_DIR" "$INIT_MARK"
	fi
	[ -e "$BENCH_DIR" ] && die "$BENCH_DIR exists but is not a complete bench; move it away or set PUMPURS_BENCH"
	local source
	if [ -n "${FRAPPE_PATH:-}" ]; then
		[ -f "$FRAPPE_PATH/frappe/__init__.py" ] || die "FRAPPE_PATH=$FRAPPE_PATH is not a frappe checkout"
		say "Creating the bench at $BENCH_DIR from $FRAPPE_PATH"
		local datepicker=${AIR_DATEPICKER_PATH:-}
		[ -n "$datepicker" ] || github_reachable || ! bundles_ok || datepicker=$VENDOR_DIR/air-datepicker.bundle
		prepare_frappe_source "$FRAPPE_PATH" "$datepicker" HEAD
		source=(--frappe-path "$SOURCE_DIR/frappe" --frappe-branch pumpurs-local)
	elif github_reachable; then
		say "Creating the bench at $BENCH_DIR from GitHub (frappe $FRAPPE_TAG)"
		source=(--frappe-branch "$FRAPPE_TAG")
	elif bundles_ok; then
		say "Creating the bench at $BENCH_DIR from the bundles in $VENDOR_DIR (GitHub is not reachable)"
		prepare_frappe_source "$VENDOR_DIR/frappe-v$FRAPPE_VERSION.bundle" "$VENDOR_DIR/air-datepicker.bundle" "$FRAPPE_TAG"
		source=(--frappe-path "$SOURCE_DIR/frappe" --frappe-branch pumpurs-local)
	else
		die "cannot get frappe: GitHub is not reachable, FRAPPE_PATH is not set and there are no bundles in $VENDOR_DIR"
	fi
	as_bench mkdir -p "$(dirname "$BENCH_DIR")"
	as_bench touch "$INIT_MARK"
	(cd "$(dirname "$BENCH_DIR")" && as_bench bench init "${source[@]}" --python "$PYTHON" --no-backups \
		--skip-redis-config-generation "$(basename "$BENCH_DIR")") || die "bench init failed (the next run starts it again)"
	bench_built || die "bench init did not finish (the next run starts it again)"
	rm -f "$INIT_MARK"
}

configure_bench() {
	# frappe 15 imports pkg_resources, which setuptools 81+ no longer ships
	if ! as_bench "$BENCH_DIR/env/bin/python" -c 'import pkg_resources' 2>/dev/null; then
		in_bench uv pip install --quiet --python env/bin/python "setuptools<80"
	fi
	local key value
	for key in redis_cache redis_queue redis_socketio; do
		value=$(as_bench "$BENCH_DIR/env/bin/python" -c "import json,sys; print(json.load(open(sys.argv[1])).get('$key',''))" "$BENCH_DIR/sites/common_site_config.json")
		[ "$value" = "$REDIS_URL" ] || in_bench bench set-config -g "$key" "$REDIS_URL" >/dev/null
	done
	grep -q "\"db_host\": \"$DB_HOST\"" "$BENCH_DIR/sites/common_site_config.json" || in_bench bench set-config -g db_host "$DB_HOST" >/dev/null
}

# The app the bench runs is this checkout: a symlink when the bench user may write here, otherwise (CI
# clones owned by root, say) a synced copy of it. Either way, never a stale copy of other code.
link_app() {
	local target="$APP_DIR" link="$BENCH_DIR/apps/pumpurs_app"
	if ! as_bench test -w "$APP_DIR" -a -r "$APP_DIR/setup.py"; then
		target="$RUN_DIR/checkout"
		say "Syncing $APP_DIR to $target (the bench user cannot write to the checkout)"
		as_bench mkdir -p "$target"
		rsync -a --delete --exclude .git --exclude '*.egg-info' --exclude __pycache__ "$APP_DIR/" "$target/"
		[ "$(id -u)" = 0 ] && chown -R "$BENCH_USER": "$target"
	fi
	if [ -L "$link" ] && [ "$(readlink "$link")" = "$target" ]; then :; else
		if [ -e "$link" ] && [ ! -L "$link" ]; then
			local aside="$BENCH_DIR/apps/.pumpurs_app.replaced.$(date +%s)"
			warn "moving the bench's own copy of pumpurs_app aside to $aside"
			as_bench mv "$link" "$aside"
		fi
		as_bench ln -sfn "$target" "$link"
	fi
	grep -qx pumpurs_app "$BENCH_DIR/sites/apps.txt" || as_bench sh -c "printf '\npumpurs_app\n' >> '$BENCH_DIR/sites/apps.txt' && sed -i '/^$/d' '$BENCH_DIR/sites/apps.txt'"
	# (re)install into the bench's Python: the app's dependencies, and its import path pointing here
	in_bench uv pip install --quiet --python env/bin/python -e apps/pumpurs_app || die "installing pumpurs_app failed"
	# the app's static files (the reports' shared script) are served from sites/assets, as bench build links them
	as_bench ln -sfn "$BENCH_DIR/apps/pumpurs_app/pumpurs_app/public" "$BENCH_DIR/sites/assets/pumpurs_app"
	APP_SOURCE=$target
}

# frappe makes the site's database user for the host MariaDB sees the admin connect from, the host the site
# connects from too (both over TCP to 127.0.0.1); --no-mariadb-socket would make it for any host ('%').
new_site() {
	local site=$1
	shift
	in_bench bench new-site "$site" --db-root-username "$DB_ADMIN_USER" --db-root-password "$DB_ADMIN_PASSWORD" \
		--admin-password "${PUMPURS_ADMIN_PASSWORD:-admin}" --install-app pumpurs_app "$@"
}

site_exists() { [ -f "$BENCH_DIR/sites/$1/site_config.json" ]; }

prepare_platform() {
	ensure_bench_user
	ensure_system_packages
	ensure_services
	PYTHON=$(find_python) || die "no Python 3.10–3.12 the bench user can run; install python3.11 (Debian: apt-get install python3.11-venv)"
	ensure_bench_cli
	ensure_bench
	as_bench mkdir -p "$RUN_DIR"
	configure_bench
	ensure_db_admin
}

# --- a read replica -----------------------------------------------------------------------------------------
# frappe's read_from_replica sends reports and list counts to a second MariaDB server. For the tests and the
# benchmark: a second server on REPLICA_PORT, its data in RUN_DIR/replica, replicating one site's database
# from the first. The first needs its binary log, which only a restart turns on (as root: once, through
# /etc/mysql/mariadb.conf.d/90-pumpurs-replication.cnf). README: "A national site: workers and a read replica".
REPLICA_PORT=${PUMPURS_REPLICA_PORT:-3307}
REPLICA_DIR=$RUN_DIR/replica
REPLICA_CONF=/etc/mysql/mariadb.conf.d/90-pumpurs-replication.cnf

# SQL on stdin, not in the arguments ps shows: it holds passwords
admin_sql() { mariadb --host=$DB_HOST --port=$DB_PORT --user="$DB_ADMIN_USER" --password="$DB_ADMIN_PASSWORD" -N <<<"$1"; }
replica_sql() { mariadb --host=127.0.0.1 --port=$REPLICA_PORT --user=root -N <<<"$1"; }

ensure_binary_log() {
	[ "$(admin_sql 'SELECT @@log_bin')" = 1 ] && return
	[ "$(id -u)" = 0 ] || die "MariaDB on $DB_HOST:$DB_PORT keeps no binary log, which a replica reads: as root, run dev/replica once (it restarts MariaDB with log_bin), or set log_bin, server_id and binlog_format=ROW yourself"
	say "Turning on MariaDB's binary log (a replica reads it): $REPLICA_CONF, and a restart"
	mkdir -p "$(dirname "$REPLICA_CONF")"
	cat >"$REPLICA_CONF" <<CNF
# written by pumpurs_app's dev/replica: the binary log a read replica follows
[mariadbd]
log_bin = pumpurs-bin
server_id = 1
binlog_format = ROW
expire_logs_days = 2
CNF
	# Debian's my.cnf reads mariadb.conf.d; a my.cnf trimmed of that line gets it back
	if ! mariadbd --print-defaults 2>/dev/null | grep -q -- "--log_bin=pumpurs-bin"; then
		printf '\n!includedir %s/\n' "$(dirname "$REPLICA_CONF")" >>/etc/mysql/my.cnf
	fi
	if ! { command -v service >/dev/null 2>&1 && service mariadb restart >/dev/null 2>&1; }; then
		mariadb-admin --user=root shutdown 2>/dev/null || mariadb-admin --host=$DB_HOST --port=$DB_PORT --user=root shutdown
		for _ in $(seq 30); do mariadb_up || break; sleep 1; done
		ensure_services
	fi
	for _ in $(seq 30); do mariadb_up && break; sleep 1; done
	ensure_db_admin  # the server's settings again (a restart forgets them)
	[ "$(admin_sql 'SELECT @@log_bin')" = 1 ] || die "MariaDB still keeps no binary log (see $REPLICA_CONF)"
}

# replica_up SITE: the replica server running, holding SITE's database as it is now and following it
replica_up() {
	local site=$1 config db password secret
	config="$BENCH_DIR/sites/$site/site_config.json"
	db=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["db_name"])' "$config")
	password=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["db_password"])' "$config")
	ensure_services
	ensure_db_admin
	ensure_binary_log
	if ! mariadb-admin --host=127.0.0.1 --port=$REPLICA_PORT --user=root --connect-timeout=2 ping >/dev/null 2>&1; then
		say "Starting the replica server on port $REPLICA_PORT ($REPLICA_DIR)"
		as_bench mkdir -p "$REPLICA_DIR"
		if [ ! -d "$REPLICA_DIR/data/mysql" ]; then
			as_bench mariadb-install-db --no-defaults --datadir="$REPLICA_DIR/data" \
				--auth-root-authentication-method=normal --skip-test-db >"$REPLICA_DIR/install.log" 2>&1 ||
				die "mariadb-install-db failed (see $REPLICA_DIR/install.log)"
		fi
		# read-only: only replication writes; the site's account may read
		as_bench sh -c "setsid /usr/sbin/mariadbd --no-defaults --datadir='$REPLICA_DIR/data' --port=$REPLICA_PORT \
			--bind-address=127.0.0.1 --socket='$REPLICA_DIR/mariadb.sock' --pid-file='$REPLICA_DIR/mariadb.pid' \
			--log-error='$REPLICA_DIR/error.log' --server-id=2 --read-only=1 --skip-log-bin \
			--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
			--innodb-buffer-pool-size=1G --tmp-table-size=256M --max-heap-table-size=256M \
			</dev/null >/dev/null 2>&1 &"
		for _ in $(seq 60); do
			mariadb-admin --host=127.0.0.1 --port=$REPLICA_PORT --user=root ping >/dev/null 2>&1 && break
			sleep 0.5
		done
		replica_sql "SELECT 1" >/dev/null || die "the replica server did not start (see $REPLICA_DIR/error.log)"
	fi
	secret="$STATE_DIR/replication-password"
	[ -s "$secret" ] || as_bench sh -c "umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > '$secret'"
	local host sql=""
	for host in localhost 127.0.0.1; do
		sql+="CREATE USER IF NOT EXISTS 'pumpurs_replication'@'$host' IDENTIFIED BY '$(cat "$secret")';
GRANT REPLICATION SLAVE ON *.* TO 'pumpurs_replication'@'$host';"
	done
	admin_sql "$sql"
	# the site's account, as the site has it now (a recreated site has a new password)
	sql=""
	for host in localhost 127.0.0.1; do
		sql+="CREATE USER IF NOT EXISTS '$db'@'$host' IDENTIFIED BY '$password';
ALTER USER '$db'@'$host' IDENTIFIED BY '$password'; GRANT ALL PRIVILEGES ON \`$db\`.* TO '$db'@'$host';"
	done
	replica_sql "$sql"
	if [ "$(replica_sql 'SELECT @@replicate_wild_do_table')" = "$db.%" ] && replica_caught_up 4 2>/dev/null; then
		say "The replica follows $site already"
		return 0
	fi
	say "Copying $site's database ($db) to the replica"
	replica_sql "STOP SLAVE; RESET SLAVE ALL; DROP DATABASE IF EXISTS \`$db\`;
		CREATE DATABASE \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;" >/dev/null
	# --master-data: the copy starts with the binary log's position at the moment it was taken
	mariadb-dump --host=$DB_HOST --port=$DB_PORT --user="$DB_ADMIN_USER" --password="$DB_ADMIN_PASSWORD" \
		--single-transaction --master-data=1 --quick "$db" |
		mariadb --host=127.0.0.1 --port=$REPLICA_PORT --user=root "$db" || die "copying $db to the replica failed"
	replica_sql "SET GLOBAL replicate_wild_do_table = '$db.%';
		CHANGE MASTER TO MASTER_HOST='$DB_HOST', MASTER_PORT=$DB_PORT, MASTER_USER='pumpurs_replication',
			MASTER_PASSWORD='$(cat "$secret")';
		START SLAVE;"
	replica_caught_up || die "the replica does not follow $DB_HOST:$DB_PORT (see SHOW SLAVE STATUS on port $REPLICA_PORT)"
}

# replica_caught_up [TRIES]: replication running and nothing left to apply, within TRIES half-seconds (60)
replica_caught_up() {
	local status
	for _ in $(seq "${1:-60}"); do
		status=$(mariadb --host=127.0.0.1 --port=$REPLICA_PORT --user=root -e 'SHOW SLAVE STATUS\G')
		if grep -q "Slave_SQL_Running: Yes" <<<"$status" && grep -q "Seconds_Behind_Master: 0" <<<"$status"; then
			return 0
		fi
		sleep 0.5
	done
	printf '%s\n' "$status" | grep -E "Running|Error|Behind" >&2
	return 1
}

replica_down() {
	[ -s "$REPLICA_DIR/mariadb.pid" ] || return 0
	mariadb-admin --host=127.0.0.1 --port=$REPLICA_PORT --user=root shutdown 2>/dev/null ||
		kill "$(cat "$REPLICA_DIR/mariadb.pid")" 2>/dev/null || true
}
