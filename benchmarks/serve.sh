# Shared by benchmarks/*/run, after dev/lib.sh: the project-scale demo site, served as production serves it.
# Sourced, not run.

PROJECT_SITE=${PUMPURS_PROJECT_SITE:-pumpurs-load.localhost}
WEB_WORKERS=${PUMPURS_WEB_WORKERS:-$(($(nproc) * 2 + 1))} # as frappe's production set-up

# the site with the `project`-scale demo (about 10 minutes the first time), migrated to this checkout
ensure_project_site() {
	prepare_platform
	link_app
	if ! site_exists "$PROJECT_SITE"; then
		say "Creating $PROJECT_SITE with the project-scale demo (about 10 minutes)"
		new_site "$PROJECT_SITE"
	fi
	in_bench bench --site "$PROJECT_SITE" migrate >/dev/null
	in_bench bench --site "$PROJECT_SITE" pumpurs-demo --scale project --if-empty
	say "Compiling the bench's Python once, as a production bench has it"
	in_bench sh -c 'env/bin/python -m compileall -q -j 0 apps env/lib/python3*/site-packages >/dev/null' || true
}

# the bench's Python in its sites folder (frappe's logs are relative to it)
in_sites() { (cd "$BENCH_DIR/sites" && as_bench ../env/bin/python "$@"); }

# serve PORT DIR: gunicorn, an RQ worker for the short and default queues and one for the long queue, and
# the scheduler, in the background (their Procfile and log in DIR) until stop_server
serve() {
	local port=$1
	SERVE_DIR=$2
	say "Serving $PROJECT_SITE on port $port: gunicorn ($WEB_WORKERS workers), 2 RQ workers, the scheduler"
	in_bench bench --site "$PROJECT_SITE" scheduler enable >/dev/null
	as_bench sh -c "cat > '$SERVE_DIR/Procfile'" <<PROCFILE
web: cd sites && ../env/bin/gunicorn --bind 127.0.0.1:$port --workers $WEB_WORKERS --timeout 120 --preload frappe.app:application
worker_short: bench worker --queue short,default
worker_long: bench worker --queue long
schedule: bench schedule
PROCFILE
	in_bench sh -c "setsid honcho -f '$SERVE_DIR/Procfile' -d '$BENCH_DIR' start >'$SERVE_DIR/server.log' 2>&1 < /dev/null & echo \$! > '$SERVE_DIR/server.pid'"
	trap stop_server EXIT
	for _ in $(seq 60); do
		curl -fsS -o /dev/null -H "X-Frappe-Site-Name: $PROJECT_SITE" "http://127.0.0.1:$port/api/method/ping" 2>/dev/null && return
		sleep 1
	done
	die "the server did not answer; see $SERVE_DIR/server.log"
}

stop_server() {
	kill -- -"$(cat "$SERVE_DIR/server.pid")" 2>/dev/null || true
	in_bench bench --site "$PROJECT_SITE" scheduler disable >/dev/null || true
	trap - EXIT
}
