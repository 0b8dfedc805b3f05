#!/usr/bin/env bash
# The development secrets of the local launchers (run-local.sh,
# run-replicas.sh), in DIR: certificates for every principal of
# deploy/dev/principals.textproto and "nobody" (a certificate without a
# role) in DIR/certs, made or renewed by dev-certs.sh; the ledger's signing
# key DIR/ledger.key (made once, Ed25519) and its public half DIR/ledger.pub;
# the page-token secret DIR/page-token.key (made once, 32 random bytes) that
# every replica of both services shares (core/rpc/page_token.h); and, for a
# browser, oversight-henan's certificate and key as DIR/certs/oversight-henan.p12
# (PKCS#12, password "dev") to import (docs/console.md).
#   deploy/dev-secrets.sh DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
run=${1:?usage: dev-secrets.sh DIR}
mkdir -p "$run"
principals=$(sed -n 's/^principals { name: "\([^"]*\)".*/\1/p' "$root/deploy/dev/principals.textproto")
"$root/deploy/dev-certs.sh" "$run/certs" $principals nobody
if [ ! -f "$run/ledger.key" ]; then
  (umask 077 && openssl genpkey -algorithm ed25519 -out "$run/ledger.key")
fi
openssl pkey -in "$run/ledger.key" -pubout -out "$run/ledger.pub"
if [ ! -f "$run/page-token.key" ]; then
  (umask 077 && openssl rand -out "$run/page-token.key" 32)
fi
for user in oversight-henan reviewer-legality clerk-zz-psb; do
  if [ ! -f "$run/certs/$user.p12" ] || [ "$run/certs/$user.crt" -nt "$run/certs/$user.p12" ]; then
    (umask 077 && openssl pkcs12 -export -in "$run/certs/$user.crt" -inkey "$run/certs/$user.key" \
      -certfile "$run/certs/ca.crt" -name "$user (disclosure dev)" -passout pass:dev \
      -out "$run/certs/$user.p12")
  fi
done
