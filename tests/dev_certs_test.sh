#!/usr/bin/env bash
# deploy/dev-certs.sh keeps certificates that are valid for another day and
# renews those about to expire (and everything below a renewed CA).
#   dev_certs_test.sh PATH/TO/dev-certs.sh
set -euo pipefail
script=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
fp() { openssl x509 -in "$dir/$1" -noout -fingerprint -sha256; }
fresh() { openssl x509 -checkend 86400 -noout -in "$dir/$1" >/dev/null; }

"$script" "$dir" alice bob
ca=$(fp ca.crt) server=$(fp server.crt) alice=$(fp alice.crt) bob=$(fp bob.crt)

# Valid for 30 days: all kept.
"$script" "$dir" alice bob
[ "$(fp ca.crt)$(fp server.crt)$(fp alice.crt)$(fp bob.crt)" = "$ca$server$alice$bob" ] ||
  fail "fresh certificates were made again"

# alice's certificate expires within a day: renewed, the others kept.
(cd "$dir" && openssl req -new -key alice.key -subj /CN=alice -out alice.csr 2>/dev/null &&
  openssl x509 -req -in alice.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 \
    -out alice.crt 2>/dev/null && rm alice.csr)
sleep 1
fresh alice.crt && fail "test set-up: alice.crt should be expiring"
"$script" "$dir" alice bob
fresh alice.crt || fail "an expiring client certificate was not renewed"
[ "$(fp bob.crt)$(fp server.crt)" = "$bob$server" ] || fail "fresh certificates were made again"

# The CA expires within a day: everything is made again, and verifies.
(cd "$dir" && openssl req -x509 -new -key ca.key -sha256 -days 1 -subj "/CN=disclosure dev CA" \
  -out ca.crt 2>/dev/null)
sleep 1
"$script" "$dir" alice bob
fresh ca.crt || fail "an expiring CA was not renewed"
for c in server alice bob; do
  openssl verify -CAfile "$dir/ca.crt" "$dir/$c.crt" >/dev/null || fail "$c.crt is not signed by the renewed CA"
  fresh "$c.crt" || fail "$c.crt is expiring"
done
[ "$(fp server.crt)" != "$server" ] || fail "server.crt was kept under a new CA"
echo "dev-certs: ok"
