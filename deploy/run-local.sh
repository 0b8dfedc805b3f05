#!/usr/bin/env bash
# One machine, embedded SQLite, mutual TLS with development certificates:
# builds, makes certificates in run/certs, starts submit_service on
# 127.0.0.1:50051 (store run/submit.db, log run/submit_service.log), and
# carries the sample report through: validate, submit, list, get.
# The service keeps running until Ctrl-C (or set EXIT_AFTER_DEMO=1).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
listen=${LISTEN:-127.0.0.1:50051}
"$root/deploy/build.sh"

run="$root/run"
mkdir -p "$run"
principals=$(sed -n 's/^principals { name: "\([^"]*\)".*/\1/p' "$root/deploy/dev/principals.textproto")
"$root/deploy/dev-certs.sh" "$run/certs" $principals nobody

"$build/submit_service/submit_service" --listen "$listen" --store "sqlite:$run/submit.db" \
  --ca "$run/certs/ca.crt" --cert "$run/certs/server.crt" --key "$run/certs/server.key" \
  --principals "$root/deploy/dev/principals.textproto" \
  --registry "$root/deploy/dev/agencies.textproto" >"$run/submit_service.log" 2>&1 &
service=$!
trap 'kill -TERM $service 2>/dev/null; wait $service 2>/dev/null || true' EXIT

rc() { "$build/reportctl/reportctl" --target "$listen" --certs "$run/certs" "$@"; }
ready=0
for _ in $(seq 50); do
  if rc reports --as audit-service >/dev/null 2>&1; then ready=1; break; fi
  kill -0 $service 2>/dev/null || { echo "run-local: submit_service exited:" >&2; cat "$run/submit_service.log" >&2; exit 1; }
  sleep 0.2
done
if [ "$ready" != 1 ]; then
  echo "run-local: submit_service did not answer on $listen after 50 tries, about 10 s (log: $run/submit_service.log):" >&2
  tail -n 20 "$run/submit_service.log" >&2
  rc reports --as audit-service >/dev/null || true  # shows the client's error
  exit 1
fi

sample="$root/tests/testdata/zhengzhou-psb-2021.txt"
echo "== validate the sample (offline)"
rc validate "$sample" --submitted 2022-01-20
echo "== submit it as clerk-zz-psb"
rc submit "$sample" --agency_id zz-psb --as clerk-zz-psb
echo "== versions"
rc versions agencies/zz-psb/reports/2021 --as clerk-zz-psb
echo "== what oversight-henan sees for 2021"
rc reports --region_prefix 41 --year 2021 --as oversight-henan
echo "== the feed, as the audit service reads it"
rc watch --as audit-service --max_events 1
echo
echo "submit_service is running on $listen (log: $run/submit_service.log)."
if [ "${EXIT_AFTER_DEMO:-0}" = 1 ]; then exit 0; fi
echo "Ctrl-C stops it."
wait $service
