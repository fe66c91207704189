#!/usr/bin/env bash
# The cluster CA and one certificate per silo for Silo:Tls (mutual TLS on the silo and gateway ports), made here:
#   deploy/silo-tls/make-certificates.sh [silo…]      default: cloud-1 cloud-2, the silos of docker-compose.yml
# ca.key stays in this folder (keep it offline; it is never mounted into a container). A silo gets ca.crt, <silo>.crt
# and <silo>.key. Run again with a new name to add a silo; delete ca.key and ca.crt to start a new CA (which shuts out
# every certificate of the old one).
set -euo pipefail
cd "$(dirname "$0")"
umask 077
silos=("$@")
[ ${#silos[@]} -gt 0 ] || silos=(cloud-1 cloud-2)
if [ ! -f ca.key ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 -days 3650 -nodes -keyout ca.key -out ca.crt \
    -subj "/CN=DomioOps cluster CA" -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi
for silo in "${silos[@]}"; do
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$silo.key" -out "$silo.csr" -subj "/CN=$silo" 2>/dev/null
  # serverAuth and clientAuth: a silo is server and client to its peers with the same certificate.
  openssl x509 -req -in "$silo.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 -sha256 -out "$silo.crt" -extfile <(printf '%s\n' \
    "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=DNS:$silo") 2>/dev/null
  rm -f "$silo.csr"
  chmod 644 "$silo.crt"
  echo "silo-tls: $silo.crt and $silo.key issued by ca.crt"
done
chmod 644 ca.crt
