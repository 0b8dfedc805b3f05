#!/usr/bin/env bash
# Makes a development certificate authority and certificates, with openssl:
#   dev-certs.sh OUT_DIR [PRINCIPAL…]
# OUT_DIR/ca.{crt,key}                the CA (kept if it already exists)
# OUT_DIR/server.{crt,key}            for the services: CN=localhost,
#                                     SAN DNS:localhost, IP:127.0.0.1
# OUT_DIR/PRINCIPAL.{crt,key}         client certificates, CN=PRINCIPAL
# Keys are EC P-256, certificates valid 30 days. A certificate is kept while
# it is valid for at least another day (and, below the CA, signed by the
# current CA); otherwise it is made again, so running this again renews what
# is about to expire. For development and tests only: real deployments bring
# their own CA (docs/deploy.md).
set -euo pipefail
out=${1:?usage: dev-certs.sh OUT_DIR [PRINCIPAL...]}
shift
mkdir -p "$out"
cd "$out"
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# fresh CERT: exists and stays valid for another 24 hours.
fresh() { [ -f "$1" ] && openssl x509 -checkend 86400 -noout -in "$1" >/dev/null 2>&1; }
# reusable CERT: fresh, and signed by the current CA (a renewed CA renews all).
reusable() { fresh "$1" && openssl verify -CAfile ca.crt "$1" >/dev/null 2>&1; }

if ! fresh ca.crt || [ ! -f ca.key ]; then
  key ca.key
  openssl req -x509 -new -key ca.key -sha256 -days 30 -subj "/CN=disclosure dev CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out ca.crt 2>/dev/null
fi

# sign NAME CN EXT
sign() {
  local name=$1 cn=$2 ext=$3
  key "$name.key"
  openssl req -new -key "$name.key" -subj "/CN=$cn" -out "$name.csr" 2>/dev/null
  printf '%s\n' "$ext" > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -sha256 \
    -extfile "$name.ext" -out "$name.crt" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

if ! reusable server.crt; then
  sign server localhost "$(printf '%s\n' \
    'basicConstraints=CA:FALSE' 'keyUsage=digitalSignature' 'extendedKeyUsage=serverAuth' \
    'subjectAltName=DNS:localhost,IP:127.0.0.1')"
fi
for principal in "$@"; do
  [[ "$principal" =~ ^[A-Za-z0-9._@-]{1,64}$ ]] || { echo "dev-certs: bad principal name '$principal'" >&2; exit 2; }
  reusable "$principal.crt" && continue
  sign "$principal" "$principal" "$(printf '%s\n' \
    'basicConstraints=CA:FALSE' 'keyUsage=digitalSignature' 'extendedKeyUsage=clientAuth')"
done
chmod 644 ./*.crt
