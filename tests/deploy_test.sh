#!/usr/bin/env bash
# The deployment files start working services: the command lines of
# deploy/k8s/{submit,audit,console}.yaml and deploy/systemd/*.service (with their
# .env.example) are taken from the files, their paths, ports and names mapped
# onto a temporary folder on loopback, and run. Each layout must give two
# services that pass their own readiness probe (k8s: the probe command of the
# manifest), take the sample report and audit it through the audit service's
# --submit_target, and give a console that answers a browser's certificate
# with the region's agencies. A flag renamed in a binary, or a probe that cannot pass,
# makes this fail. Not checked: that volumeMounts agree with the paths in the
# arguments, file modes and the pod's user (the paths are mapped as written).
#   deploy_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
root=$1 build=$2
dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  tail -n 20 "$dir"/*.log >&2 2>/dev/null || true
  exit 1
}

# What the Secrets and ConfigMap (or /etc/disclosure) hold.
principals=$(sed -n 's/^principals { name: "\([^"]*\)".*/\1/p' "$root/deploy/dev/principals.textproto")
"$root/deploy/dev-certs.sh" "$dir/tls" $principals probe >/dev/null  # probe: no role
mkdir -p "$dir/ledger"
(umask 077 && openssl genpkey -algorithm ed25519 -out "$dir/ledger/ledger.key" 2>/dev/null)
cp "$dir/ledger/ledger.key" "$dir/ledger.key"
mkdir -p "$dir/ledger-public"
openssl pkey -in "$dir/ledger.key" -pubout -out "$dir/ledger.pub"
cp "$dir/ledger.pub" "$dir/ledger-public/ledger.pub"
mkdir -p "$dir/page-token"
(umask 077 && openssl rand -out "$dir/page-token/page-token.key" 32)
cp "$dir/page-token/page-token.key" "$dir/page-token.key"
cp "$root/deploy/dev/principals.textproto" "$root/deploy/dev/agencies.textproto" "$dir/"

# take_port VAR: a port below Linux's ephemeral range (32768–60999), so no
# outgoing connection holds it, and unlike every port taken before.
used=" "
take_port() {
  local p
  while p=$((20000 + RANDOM % 12000)); [[ "$used" == *" $p "* ]]; do :; done
  used+="$p "
  printf -v "$1" '%s' "$p"
}

# map LAYOUT FILE: the file's text with paths, ports and cluster names made local.
map() {
  sed -e "s|/usr/local/bin/submit_service|$build/submit_service/submit_service|g" \
      -e "s|/usr/local/bin/audit_service|$build/audit_service/audit_service|g" \
      -e "s|/usr/local/bin/reportctl|$build/reportctl/reportctl|g" \
      -e "s|/usr/local/bin/console|$build/console/console|g" \
      -e "s|/usr/local/share/disclosure/console|$root/console/pages|g" \
      -e "s|/etc/disclosure/tls|$dir/tls|g" \
      -e "s|/etc/disclosure/config|$dir|g" \
      -e "s|/etc/disclosure/ledger/|$dir/ledger/|g" \
      -e "s|/etc/disclosure/|$dir/|g" \
      -e "s|/var/lib/disclosure|$dir/$1|g" \
      -e "s|\$(SUBMIT_DB)|sqlite:$dir/$1/submit.db|g" \
      -e "s|\$(AUDIT_DB)|sqlite:$dir/$1/audit.db|g" \
      -e "s|submit\.\$(NAMESPACE)\.svc\.cluster\.local|localhost|g" \
      -e "s|audit\.\$(NAMESPACE)\.svc\.cluster\.local|localhost|g" \
      -e "s|--port=8443|--port=$console_port|" \
      -e "s|submit\.\$(NAMESPACE)\.svc|localhost|g" \
      -e "s|0\.0\.0\.0:|127.0.0.1:|g" -e "s|=0\.0\.0\.0$|=127.0.0.1|" \
      -e "s|:9464|:$submit_metrics_port|g" -e "s|:9465|:$audit_metrics_port|g" \
      -e "s|^PORT=8443$|PORT=$console_port|" \
      -e "s|:50051|:$submit_port|g" -e "s|:50052|:$audit_port|g" "$2"
}

# k8s_args FILE: the container's command and args, one per line.
k8s_args() {
  map k8s "$1" | sed -n 's/^ *command: \["\([^"]*\)"\]$/\1/p;s/^ *- \(--.*\)$/\1/p'
}
# k8s_probe FILE: the readiness probe's command, one word per line.
k8s_probe() {
  map k8s "$1" | tr -d '\n' | sed 's/.*readinessProbe:[^[]*\[\([^]]*\)\].*/\1/' |
    tr ',' '\n' | sed 's/^ *"//;s/" *$//'
}
# systemd_args UNIT ENV: ExecStart with the environment file's values, one word per line.
systemd_args() {
  local line
  line=$(map systemd "$1" | sed -n '/^ExecStart=/,/[^\\]$/p' | sed 's/^ExecStart=//;s/\\$//' | tr '\n' ' ')
  set -a
  # shellcheck disable=SC1090
  source <(map systemd "$2")
  set +a
  eval "printf '%s\n' $line"
}

start() {  # start NAME < argument lines
  local args=()
  mapfile -t args
  [ ${#args[@]} -gt 2 ] || fail "$1: no command line found"
  "${args[@]}" >"$dir/$1.log" 2>&1 &
  pids+=($!)
}

rc() { "$build/reportctl/reportctl" --certs "$dir/tls" --target "127.0.0.1:$submit_port" \
         --audit_target "127.0.0.1:$audit_port" "$@"; }

# run_layout NAME PROBE_SUBMIT PROBE_AUDIT: the two services are started;
# waits for both probes, submits the sample, waits for its audit.
run_layout() {
  local name=$1
  local ok=
  for _ in $(seq 50); do
    if "${probe_submit[@]}" >/dev/null 2>&1 && "${probe_audit[@]}" >/dev/null 2>&1; then
      ok=1
      break
    fi
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || fail "$name: a service exited"; done
    sleep 0.2
  done
  [ -n "$ok" ] || fail "$name: the readiness probes did not pass within 10 s"
  # Health by service name, as generic gRPC clients ask (docs/api.md).
  "${probe_submit[@]}" --health_service disclosure.v1.SubmissionService >/dev/null ||
    fail "$name: health of disclosure.v1.SubmissionService is not SERVING"
  for service in disclosure.v1.AuditService disclosure.v1.AuditService/ledger; do
    "${probe_audit[@]}" --health_service "$service" >/dev/null ||
      fail "$name: health of $service is not SERVING"
  done
  local version
  version=$(rc submit "$root/tests/testdata/zhengzhou-psb-2021.txt" --agency_id zz-psb \
              --request_id "deploy-test-$name" --as clerk-zz-psb |
            grep -o 'agencies/[^[:space:]]*/versions/[0-9]*' | head -n 1) ||
    fail "$name: submitting the sample failed"
  for _ in $(seq 50); do
    rc audit "$version" --as reviewer-legality >/dev/null 2>&1 && break
    sleep 0.2
  done
  rc audit "$version" --as reviewer-legality >/dev/null || fail "$name: $version was not audited"
  if [ "$(type -t layout_extra)" = function ]; then layout_extra "$name" "$version"; fi
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
  echo "ok: $name"
}

take_port submit_metrics_port; take_port audit_metrics_port; take_port console_port

# check_console LAYOUT: the console (started before by the caller) answers
# oversight-henan's certificate with the agencies of 河南, the sample among them.
check_console() {
  local got=
  for _ in $(seq 50); do
    got=$(printf 'GET /api/regions/41/years/2021/agencies.csv HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' |
          openssl s_client -quiet -connect "127.0.0.1:$console_port" -CAfile "$dir/tls/ca.crt" \
            -cert "$dir/tls/oversight-henan.crt" -key "$dir/tls/oversight-henan.key" 2>/dev/null) &&
      grep -q '^HTTP/1.1 200' <<<"$got" && break
    sleep 0.2
  done
  grep -q '"zz-psb","郑州市公安局"' <<<"$got" || fail "$1: the console does not answer: $got"
  got=$(printf 'GET /api/ledger/key HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' |
        openssl s_client -quiet -connect "127.0.0.1:$console_port" -CAfile "$dir/tls/ca.crt" \
          -cert "$dir/tls/oversight-henan.crt" -key "$dir/tls/oversight-henan.key" 2>/dev/null)
  grep -q 'BEGIN PUBLIC KEY' <<<"$got" || fail "$1: the console has no ledger key: $got"
}

# Kubernetes manifests.
take_port submit_port; take_port audit_port
mkdir -p "$dir/k8s"
start k8s-submit < <(k8s_args "$root/deploy/k8s/submit.yaml")
start k8s-audit < <(k8s_args "$root/deploy/k8s/audit.yaml")
layout_extra() {
  start k8s-console < <(k8s_args "$root/deploy/k8s/console.yaml")
  check_console "$1"
}
mapfile -t probe_submit < <(k8s_probe "$root/deploy/k8s/submit.yaml")
mapfile -t probe_audit < <(k8s_probe "$root/deploy/k8s/audit.yaml")
[ "${probe_submit[1]:-}" = health ] || fail "k8s: no readiness probe command in submit.yaml"
run_layout k8s

# systemd units.
take_port submit_port; take_port audit_port
mkdir -p "$dir/systemd"
start systemd-submit < <(systemd_args "$root/deploy/systemd/submit_service.service" \
                                      "$root/deploy/systemd/submit_service.env.example")
start systemd-audit < <(systemd_args "$root/deploy/systemd/audit_service.service" \
                                     "$root/deploy/systemd/audit_service.env.example")
probe_submit=("$build/reportctl/reportctl" health "--target=127.0.0.1:$submit_port"
              "--certs=$dir/tls" --as=probe)
probe_audit=("$build/reportctl/reportctl" health "--target=127.0.0.1:$audit_port"
             "--certs=$dir/tls" --as=probe)
layout_extra() {
  start systemd-console < <(systemd_args "$root/deploy/systemd/console.service" \
                                         "$root/deploy/systemd/console.env.example")
  check_console "$1"
}
run_layout systemd
