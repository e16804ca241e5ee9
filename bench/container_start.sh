#!/usr/bin/env bash
# Start of the operator's image in podman, with the JDK's class-data archive (the image's default,
# jlink --generate-cds-archive) and without it (-Xshare:off through JAVA_OPTS_APPEND), alternating
# so both see the same machine load. Per run: Quarkus' "started in" (wall, from JVM start) and the
# CPU time of java (PID 1 in the container) just after that line (Quarkus logs it after the
# operator's "NodeDaemon operator started"), which the machine's load distorts less. Needs the image tarball (./mvnw package -Dimage) and root.
#
# usage: bench/container_start.sh [RUNS per variant, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
tarball=target/nodedaemon-operator-image.tar
name=nodedaemon-start-bench
container=nodedaemon-start-bench
prop() { sed -n "s/^quarkus.container-image.$1=//p" src/main/resources/application.properties; }
image="$(prop registry)/$(prop group)/$(prop name):$(prop tag)"

[[ -f $tarball ]] || { echo "no $tarball: run ./mvnw package -Dimage" >&2; exit 1; }
work="$(mktemp -d)"
cleanup() {
  hack/image podman rm --force "$container" >/dev/null 2>&1 || true
  hack/cluster down --name "$name" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

eval "$(hack/cluster up --name "$name" --nodes 0 2>/dev/null)"
# The admin kubeconfig embeds its certificates; the container's UID must be able to read it.
cp "$KUBECONFIG" "$work/kubeconfig"
chmod 644 "$work/kubeconfig"
hack/image podman load --quiet --input "$tarball" >/dev/null
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
hz="$(getconf CLK_TCK)"

run_once() {
  local opts="$1" logs=""
  hack/image podman rm --force "$container" >/dev/null 2>&1 || true
  hack/image podman run --detach --name "$container" --network=host --read-only --tmpfs /tmp \
    --user 1000650000 --cap-drop ALL --security-opt no-new-privileges \
    -v "$work/kubeconfig:/kubeconfig:ro" -e KUBECONFIG=/kubeconfig \
    -e QUARKUS_HTTP_PORT="$port" -e JAVA_OPTS_APPEND="$opts" "$image" >/dev/null
  for _ in $(seq 600); do
    logs="$(hack/image podman logs "$container" 2>&1)"
    [[ $logs == *" started in "* ]] && break
    sleep 0.2 # polling another process's log: nothing to wait on
  done
  [[ $logs == *" started in "* ]] || { echo "$logs" | tail -20 >&2; exit 1; }
  local ticks
  ticks="$(hack/image podman exec "$container" cat /proc/1/stat | awk '{print $14 + $15}')"
  local started
  started="$(grep -o 'started in [0-9.]*s' <<<"$logs" | head -1 | sed 's/started in //')"
  printf '| %s | %s | %.2f s |\n' "${opts:-CDS (default)}" "$started" "$(bc -l <<<"$ticks / $hz")"
}

echo "| variant | Quarkus started in | java CPU time when started |"
echo "|---|---|---|"
for _ in $(seq "$runs"); do
  run_once ""
  run_once "-Xshare:off"
done
