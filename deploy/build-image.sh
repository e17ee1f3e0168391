#!/usr/bin/env bash
# Builds the zedge image without a Docker daemon or registry, then smoke-tests it.
# Usage: deploy/build-image.sh [IMAGE]      (default IMAGE: localhost/zedge:dev; run as root)
#
# 1. Debian 12 base images come from mmdebstrap (no registry is needed): a minbase one for
#    the build stage and a slim one (no docs, man pages or locales) for the runtime stage.
#    Each is made once and kept as localhost/zedge-debian:12[-slim]; ZEDGE_REBUILD_BASE=1
#    makes them again. ZEDGE_DEBIAN_MIRROR picks the mirror (default deb.debian.org).
# 2. `podman build --isolation=chroot` builds the Dockerfile (the default OCI isolation
#    needs cgroups this kind of host may not offer; `podman run` is not used for the same
#    reason).
# 3. The smoke test mounts the image's root read-only, gives it a writable /var/run/zedge
#    (the pod's emptyDir), and chroots into it as UID 65532: `zedge --version` and
#    `zedge-drain --version`, then the bundled hello handler and zedge over ipc, and one
#    HTTP request through zedge, sent by the image's own bash (as the chart's `helm test`
#    pod does), plus /readyz.
# Installs podman and mmdebstrap with apt-get when they are missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
image="${1:-localhost/zedge:dev}"
mirror="${ZEDGE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security_mirror="${ZEDGE_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
base_build=localhost/zedge-debian:12
base_slim=localhost/zedge-debian:12-slim
smoke_uid=65532

if [ "$(id -u)" -ne 0 ]; then
  echo "build-image: run as root (mmdebstrap, podman storage, chroot and mounts need it)" >&2
  exit 1
fi

missing=()
for p in podman mmdebstrap; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "build-image: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

work="$(mktemp -d /tmp/zedge-image.XXXXXX)"
mnt=""
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$mnt" ]; then
    for m in "$mnt/run/zedge" "$mnt/proc" "$mnt/dev"; do
      mountpoint -q "$m" && umount "$m"
    done
    podman image unmount "$image" >/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }

make_base() {  # make_base NAME [mmdebstrap options...]
  local name="$1"; shift
  if [ "${ZEDGE_REBUILD_BASE:-}" != 1 ] && podman image exists "$name"; then
    echo "build-image: $name exists (ZEDGE_REBUILD_BASE=1 makes it again)"
    return
  fi
  local tar="$work/$(echo "$name" | tr ':/' '__').tar"
  # merged-usr hook: /usr merged by symlinks, as Debian's own images, rather than by the
  # usrmerge package, which would pull perl (~50 MB) into the image.
  mmdebstrap --mode=root --variant=minbase --quiet \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr "$@" bookworm "$tar" \
    "deb $mirror bookworm main" \
    "deb $mirror bookworm-updates main" \
    "deb $security_mirror bookworm-security main"
  podman import --quiet --change 'CMD ["bash"]' "$tar" "$name" >/dev/null
  rm -f "$tar"
  echo "build-image: made $name"
}

step "Debian 12 base images (mmdebstrap)"
start=$SECONDS
make_base "$base_build"
# What debian:12-slim leaves out, as dpkg path excludes.
make_base "$base_slim" \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  --dpkgopt='path-exclude=/usr/share/lintian/*'
echo "build-image: bases ready in $((SECONDS - start)) s"

step "podman build --isolation=chroot ($image)"
start=$SECONDS
podman build --isolation=chroot --pull=never --network=host --layers \
  --build-arg DEBIAN_IMAGE="$base_build" --build-arg DEBIAN_SLIM_IMAGE="$base_slim" \
  -t "$image" -f "$root/Dockerfile" "$root"
echo "build-image: built in $((SECONDS - start)) s"

step "image"
podman image inspect "$image" --format \
  'size {{.Size}} bytes; user {{.Config.User}}; entrypoint {{.Config.Entrypoint}}; cmd {{.Config.Cmd}}; workdir {{.Config.WorkingDir}}; volumes {{.Config.Volumes}}; ports {{.Config.ExposedPorts}}; stop signal {{.Config.StopSignal}}'
size=$(podman image inspect "$image" --format '{{.Size}}')
echo "build-image: $image is $((size / 1000000)) MB"

step "smoke test: chroot into the image as UID $smoke_uid"
mnt="$(podman image mount "$image")"
mkdir -p "$work/run-zedge"
chown "$smoke_uid:$smoke_uid" "$work/run-zedge"
# The image root stays read-only (as readOnlyRootFilesystem); /var/run/zedge -> /run/zedge
# gets a writable directory, as the pod's emptyDir.
mount --bind "$work/run-zedge" "$mnt/run/zedge"
mount -t proc proc "$mnt/proc"
mount --bind /dev "$mnt/dev"
in_image() { chroot --userspec="$smoke_uid:$smoke_uid" "$mnt" "$@"; }

in_image /usr/local/bin/zedge --version
in_image /usr/local/bin/zedge-drain --version

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
http_port=$(free_port)
admin_port=$(free_port)
# chroot execs the binary, so $! is the server itself (SIGINT stops both without a drain).
chroot --userspec="$smoke_uid:$smoke_uid" "$mnt" /usr/local/bin/zedge-hello-handler \
  --stream-base ipc:///var/run/zedge/client --instance smoke >"$work/handler.log" 2>&1 &
pids+=($!)
chroot --userspec="$smoke_uid:$smoke_uid" "$mnt" /usr/local/bin/zedge --id smoke \
  --listen "127.0.0.1:$http_port,stream" --zclient-stream ipc:///var/run/zedge/client \
  --ipc-file-mode 660 --admin-listen "127.0.0.1:$admin_port" >"$work/zedge.log" 2>&1 &
pids+=($!)

# GET with the image's bash (/dev/tcp); prints the response, fails on a non-200 status.
http_get() {  # http_get PORT PATH
  in_image /bin/bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET %s HTTP/1.1\r\nHost: smoke\r\nConnection: close\r\n\r\n" "$2" >&3
    response="$(cat <&3)"
    printf "%s\n" "$response" | tr -d "\r"
    case "$response" in "HTTP/1.1 200 "*) ;; *) exit 1 ;; esac' http_get "$1" "$2"
}

ready=0
for _ in $(seq 1 50); do
  if http_get "$admin_port" /readyz >"$work/readyz" 2>/dev/null; then ready=1; break; fi
  sleep 0.2
done
if [ $ready -ne 1 ]; then
  echo "build-image: zedge never became ready; its log:" >&2
  cat "$work/zedge.log" "$work/handler.log" "$work/readyz" >&2 || true
  exit 1
fi
echo "-- GET /readyz (admin port):"
grep -E '^HTTP/|^[{a-z]' "$work/readyz" | head -3
echo "-- GET / through zedge to the hello handler:"
http_get "$http_port" /
echo "-- ipc sockets in /var/run/zedge:"
ls -ln "$work/run-zedge"

step "smoke test passed: $image ($((size / 1000000)) MB)"
