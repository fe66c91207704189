#!/usr/bin/env bash
# Copies Mosquitto's password and ACL files, which the silos generate from the edge registry
# (Broker:MosquittoConfigDirectory, an emptyDir in every silo pod), into the Secret mosquitto-auth, waits until the
# Mosquitto pod sees them and tells it to reload them (SIGHUP). Run it once after the silos first start (the Mosquitto
# pod waits for this Secret), and after registering, rotating or disabling an edge.
#   deploy/kubernetes/mosquitto-auth.sh [namespace]      default: domio
set -euo pipefail
namespace=${1:-domio}
generated=/var/lib/domio/mosquitto-generated
files=(passwd passwd-cloud acl)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 077
for file in "${files[@]}"; do
  kubectl -n "$namespace" exec deploy/domio-cloud -c cloud -- cat "$generated/$file" > "$work/$file"
done
kubectl -n "$namespace" create secret generic mosquitto-auth \
  --from-file="$work/passwd" --from-file="$work/passwd-cloud" --from-file="$work/acl" \
  --dry-run=client -o yaml | kubectl -n "$namespace" apply -f -
echo "mosquitto-auth: Secret updated from the silos' edge registry"
if ! kubectl -n "$namespace" get pod mosquitto-0 >/dev/null 2>&1; then
  exit 0
fi
# The kubelet refreshes a mounted Secret within about a minute.
expected=$(cd "$work" && cat "${files[@]}" | sha256sum | cut -d' ' -f1)
for _ in $(seq 1 60); do
  seen=$(kubectl -n "$namespace" exec mosquitto-0 -c mosquitto -- sh -c 'cd /mosquitto/generated && cat passwd passwd-cloud acl | sha256sum' | cut -d' ' -f1 || true)
  if [ "$seen" = "$expected" ]; then
    kubectl -n "$namespace" exec mosquitto-0 -c mosquitto -- kill -HUP 1
    echo "mosquitto-auth: Mosquitto reloaded its password and ACL files"
    exit 0
  fi
  sleep 3
done
echo "mosquitto-auth: mosquitto-0 did not see the new files within 3 minutes; reload it later: kubectl -n $namespace exec mosquitto-0 -- kill -HUP 1" >&2
exit 1
