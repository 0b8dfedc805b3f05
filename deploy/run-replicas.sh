#!/usr/bin/env bash
# Several replicas on one machine: a PostgreSQL server from Debian's packages
# in run/pg (its own directory, Unix socket only, as the postgres user), two
# submit_service replicas (127.0.0.1:50051, :50061) on database "submit",
# two audit_service replicas (127.0.0.1:50052, :50062) on database "audit",
# each audit replica following both submit replicas. Carries the sample
# through, with reportctl balancing over both replicas of each service.
# Stops everything on exit (Ctrl-C, or EXIT_AFTER_DEMO=1).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
"$root/deploy/build.sh"

run="$root/run"
"$root/deploy/dev-secrets.sh" "$run"

# PostgreSQL refuses to run as root: its directory belongs to postgres.
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg="$run/pg"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ ! -d "$pg/data" ]; then
  mkdir -p "$pg"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$pg"
  as_pg "$pgbin/initdb" -D "$pg/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$pg/initdb.log"
fi
as_pg "$pgbin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w \
  -o "-k $pg -c listen_addresses=" start >/dev/null
pids=()
cleanup() {
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  as_pg "$pgbin/pg_ctl" -D "$pg/data" -m fast stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
for db in submit audit; do
  as_pg "$pgbin/psql" -h "$pg" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" \
    | grep -q 1 || as_pg "$pgbin/psql" -h "$pg" -U postgres -qc "CREATE DATABASE $db"
done

config=(--ca "$run/certs/ca.crt" --cert "$run/certs/server.crt" --key "$run/certs/server.key"
        --principals "$root/deploy/dev/principals.textproto"
        --registry "$root/deploy/dev/agencies.textproto"
        --page_token_key_file "$run/page-token.key")
submit_targets=127.0.0.1:50051,127.0.0.1:50061
audit_targets=127.0.0.1:50052,127.0.0.1:50062
for port in 50051 50061; do
  "$build/submit_service/submit_service" --listen "127.0.0.1:$port" \
    --metrics_listen "127.0.0.1:$((port + 1000))" \
    --store "host=$pg user=postgres dbname=submit" "${config[@]}" \
    >"$run/submit_service-$port.log" 2>&1 &
  pids+=($!)
done
for port in 50052 50062; do
  "$build/audit_service/audit_service" --listen "127.0.0.1:$port" \
    --metrics_listen "127.0.0.1:$((port + 1000))" \
    --store "host=$pg user=postgres dbname=audit" "${config[@]}" \
    --submit_target "$submit_targets" \
    --client_cert "$run/certs/audit-service.crt" --client_key "$run/certs/audit-service.key" \
    --ledger_key "$run/ledger.key" >"$run/audit_service-$port.log" 2>&1 &
  pids+=($!)
done

rc() {
  "$build/reportctl/reportctl" --target "$submit_targets" --audit_target "$audit_targets" \
    --certs "$run/certs" --ledger_public_key "$run/ledger.pub" \
    --ledger_state "$run/ledger-checkpoint-replicas.txtpb" "$@"
}
wait_until() {
  local what=$1
  shift
  for _ in $(seq 50); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "run-replicas: $what did not happen within 10 s; logs in $run" >&2
  tail -n 5 "$run"/*service-*.log >&2
  exit 1
}
wait_until "submit_service replicas ready" rc reports --as audit-service
wait_until "audit_service replicas ready" rc dashboard --region_prefix 41 --year 2021 --as oversight-henan

sample="$root/tests/testdata/zhengzhou-psb-2021.txt"
echo "== submit the sample (round robin over both submit replicas)"
out=$(rc submit "$sample" --agency_id zz-psb --as clerk-zz-psb)
echo "$out"
version=$(echo "$out" | grep -o 'agencies/[^[:space:]]*/versions/[0-9]*' | head -n 1)
wait_until "the audit of $version" rc audit "$version" --as reviewer-legality
rc status "$version" --as oversight-henan || true
echo "== the ledger, verified (both audit replicas serve one tree)"
rc ledger verify --entries --as oversight-henan
echo
echo "replicas: submit $submit_targets, audit $audit_targets, PostgreSQL in $pg (logs in $run)."
if [ "${EXIT_AFTER_DEMO:-0}" = 1 ]; then exit 0; fi
echo "Ctrl-C stops them."
wait "${pids[@]}"
