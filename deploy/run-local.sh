#!/usr/bin/env bash
# One machine, embedded SQLite, mutual TLS with development certificates:
# builds, makes certificates in run/certs and a ledger key in run/ledger.key,
# starts submit_service on 127.0.0.1:50051 (run/submit.db) and audit_service
# on 127.0.0.1:50052 (run/audit.db), logs in run/*.log, and carries the
# sample report through: validate, submit, automatic audit, three sign-offs
# by three development reviewers, CLEARED, the oversight dashboard, the
# ledger verified, and the sample's verification bundle written and verified
# offline, by reportctl and by tools/verify_bundle.py. The services keep
# running until Ctrl-C (or set EXIT_AFTER_DEMO=1).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
submit_listen=${SUBMIT_LISTEN:-127.0.0.1:50051}
audit_listen=${AUDIT_LISTEN:-127.0.0.1:50052}
# Prometheus metrics (docs/deploy.md), plain HTTP on loopback only.
submit_metrics=${SUBMIT_METRICS:-127.0.0.1:9464}
audit_metrics=${AUDIT_METRICS:-127.0.0.1:9465}
console_port=${CONSOLE_PORT:-8443}
"$root/deploy/build.sh"

run="$root/run"
"$root/deploy/dev-secrets.sh" "$run"

config=(--ca "$run/certs/ca.crt" --cert "$run/certs/server.crt" --key "$run/certs/server.key"
        --principals "$root/deploy/dev/principals.textproto"
        --registry "$root/deploy/dev/agencies.textproto"
        --page_token_key_file "$run/page-token.key")
"$build/submit_service/submit_service" --listen "$submit_listen" --store "sqlite:$run/submit.db" \
  --metrics_listen "$submit_metrics" \
  "${config[@]}" >"$run/submit_service.log" 2>&1 &
submit=$!
"$build/audit_service/audit_service" --listen "$audit_listen" --store "sqlite:$run/audit.db" \
  --metrics_listen "$audit_metrics" \
  "${config[@]}" --submit_target "$submit_listen" \
  --client_cert "$run/certs/audit-service.crt" --client_key "$run/certs/audit-service.key" \
  --ledger_key "$run/ledger.key" >"$run/audit_service.log" 2>&1 &
audit=$!
# The web console, acting for browser users with its own certificate.
"$build/console/console" --listen_host 127.0.0.1 --port "$console_port" \
  --ca "$run/certs/ca.crt" --cert "$run/certs/server.crt" --key "$run/certs/server.key" \
  --client_cert "$run/certs/console.crt" --client_key "$run/certs/console.key" \
  --audit_target "$audit_listen" --submit_target "$submit_listen" \
  --ledger_public_key "$run/ledger.pub" --reportctl "$build/reportctl/reportctl" >"$run/console.log" 2>&1 &
console=$!
trap 'kill -TERM $console $audit $submit 2>/dev/null; wait $console $audit $submit 2>/dev/null || true' EXIT

rc() {
  "$build/reportctl/reportctl" --target "$submit_listen" --audit_target "$audit_listen" \
    --certs "$run/certs" --ledger_public_key "$run/ledger.pub" \
    --ledger_state "$run/ledger-checkpoint.txtpb" "$@"
}
# wait_until DESCRIPTION COMMAND…: retries for 10 s, then fails with the logs.
wait_until() {
  local what=$1
  shift
  for _ in $(seq 50); do
    "$@" >/dev/null 2>&1 && return 0
    kill -0 $submit 2>/dev/null && kill -0 $audit 2>/dev/null || break
    sleep 0.2
  done
  echo "run-local: $what did not happen within 10 s; logs:" >&2
  tail -n 20 "$run/submit_service.log" "$run/audit_service.log" >&2
  exit 1
}
wait_until "submit_service ready" rc reports --as audit-service
wait_until "audit_service ready" rc dashboard --region_prefix 41 --year 2021 --as oversight-henan

sample="$root/tests/testdata/zhengzhou-psb-2021.txt"
echo "== validate the sample (offline)"
rc validate "$sample" --submitted 2022-01-20
echo "== submit it as clerk-zz-psb, with the published document (here the text itself)"
version=$(rc submit "$sample" --document "$sample" --agency_id zz-psb --as clerk-zz-psb | grep -o 'agencies/[^[:space:]]*/versions/[0-9]*' | head -n 1)
echo "$version"
echo "== audited automatically"
wait_until "the audit of $version" rc audit "$version" --as reviewer-legality
rc audit "$version" --as reviewer-legality
echo "== three reviews: 合法性, 规范性, 保密性审查"
rc signoff "$version" --review legality --decision approve --as reviewer-legality
rc signoff "$version" --review normativity --decision approve --as reviewer-normativity
rc signoff "$version" --review confidentiality --decision approve --as reviewer-confidentiality
echo "== review status"
rc status "$version" --as oversight-henan
echo "== the oversight dashboard of 河南 (41) for 2021"
rc dashboard --region_prefix 41 --year 2021 --as oversight-henan
echo "== the ledger, verified on this side (every entry proved)"
rc ledger verify --entries --as oversight-henan
echo "== the sample's verification bundle, written, then verified offline (no service)"
rc bundle "$version" --out "$run/bundle.binpb" --as clerk-zz-psb
rc verify "$run/bundle.binpb" --document "$sample"
echo "== the same bundle, by the independent verifier (tools/verify_bundle.py)"
/usr/bin/python3 "$root/tools/verify_bundle.py" "$run/bundle.binpb" \
  --ledger-public-key "$run/ledger.pub" --document "$sample"
echo "== the web console, asked as oversight-henan's browser would (its JSON API)"
console_get() {
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$1" |
    openssl s_client -quiet -connect "127.0.0.1:$console_port" -CAfile "$run/certs/ca.crt" \
      -cert "$run/certs/oversight-henan.crt" -key "$run/certs/oversight-henan.key" 2>/dev/null
}
wait_until "the console ready" console_get /api/session
console_get /api/regions/41/years/2021/agencies.csv | tr -d '\r' | sed -n '1p;/zz-psb/p'
echo "== metrics (Prometheus text format): requests counted by audit_service"
# (bash's /dev/tcp: no HTTP client is needed for one GET.)
exec 3<>"/dev/tcp/${audit_metrics%:*}/${audit_metrics##*:}"
printf 'GET /metrics HTTP/1.0\r\nHost: %s\r\n\r\n' "$audit_metrics" >&3
grep '^disclosure_rpc_requests_total' <&3 | head -n 5 || true
exec 3<&-
echo
echo "submit_service on $submit_listen, audit_service on $audit_listen (logs in $run);"
echo "metrics on http://$submit_metrics/metrics and http://$audit_metrics/metrics."
echo "web console on https://127.0.0.1:$console_port/?region=41&year=2021 (log in $run/console.log):"
echo "  import $run/certs/oversight-henan.p12 (password dev) into the browser's certificates"
echo "  (Chromium: chrome://settings/certificates → 您的证书 → 导入) and trust $run/certs/ca.crt"
echo "  (授权机构 → 导入); reviewer-legality.p12 and clerk-zz-psb.p12 are beside it."
echo "  pages: / (区域总览), /report?version=agencies/zz-psb/reports/2021/versions/1 (报告与审查),"
echo "  /submit (报送：上传 PDF、网页、Word 或扫描件), /ledger?version=… (在浏览器中验证账本),"
echo "  /check (核验发布文件：从政府网站下载的文件是否为经审查的版本)."
if [ "${EXIT_AFTER_DEMO:-0}" = 1 ]; then exit 0; fi
echo "Ctrl-C stops them."
wait $submit $audit $console
