# zedge image. The build stage runs the same install and build scripts the README uses on
# Debian 12; the runtime stage is Debian 12 slim with only the shared libraries the
# binaries link, run as UID 65532 and friendly to a read-only root filesystem: the only
# path zedge writes (ipc:// sockets) is the /var/run/zedge volume, which is also the working
# directory, so Condure's relative default `ipc://client` lands there too.
#
# Build with Docker (`docker build -t zedge .`) or without a daemon, as deploy/build-image.sh
# does (`podman build --isolation=chroot`, base images made by mmdebstrap and passed in as
# the two build arguments below).
ARG DEBIAN_IMAGE=debian:12
ARG DEBIAN_SLIM_IMAGE=debian:12-slim

FROM ${DEBIAN_IMAGE} AS build
WORKDIR /src
# Packages first, so that a source edit reuses this layer. --build-only installs what
# the build needs and leaves out the test suite's packages (condure, pushpin, wrk, ...).
COPY deploy/install-deps.sh deploy/apt-install-missing.sh deploy/
RUN bash deploy/install-deps.sh --build-only && rm -rf /var/lib/apt/lists/*
COPY . .
RUN ZEDGE_BUILD_DIR=/build bash deploy/build.sh \
        -DZEDGE_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=Release \
    && strip /build/cmd/zedge/zedge /build/cmd/zedge-hello-handler/zedge-hello-handler \
        /build/cmd/zedge-drain/zedge-drain

FROM ${DEBIAN_SLIM_IMAGE}
LABEL org.opencontainers.image.title="zedge" \
      org.opencontainers.image.description="HTTP/WebSocket connection manager bridging clients to ZHTTP handlers over ZeroMQ (a drop-in for Condure)"
# The runtime libraries of `ldd zedge` (libzmq5 brings libsodium, libpgm, libnorm, krb5).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libzmq5 libssl3 zlib1g libprometheus-cpp-core1.0 libc-ares2 \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
    && groupadd --gid 65532 nonroot \
    && useradd --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin nonroot \
    && install -d -o 65532 -g 65532 -m 0775 /var/run/zedge
# zedge-drain is the preStop hook (helm/zedge): static, so an init container can copy it
# into a volume and any handler image can run it.
COPY --from=build /build/cmd/zedge/zedge /build/cmd/zedge-hello-handler/zedge-hello-handler \
     /build/cmd/zedge-drain/zedge-drain /usr/local/bin/
# Fails the build when a library the binaries link is missing from the list above, or
# zedge-drain links any.
RUN ! ldd /usr/local/bin/zedge /usr/local/bin/zedge-hello-handler | grep 'not found' \
    && ldd /usr/local/bin/zedge-drain 2>&1 | grep -q 'not a dynamic executable' \
    && zedge --version && zedge-drain --version
USER 65532:65532
WORKDIR /var/run/zedge
VOLUME ["/var/run/zedge"]
# 8000: clients (Condure's default listener). 9090: the admin API (/livez, /readyz,
# /metrics, /drain), bound to all interfaces here so probes and Prometheus reach it.
EXPOSE 8000 9090
# SIGTERM drains (--drain-timeout seconds, default 25), then zedge exits.
STOPSIGNAL SIGTERM
ENTRYPOINT ["zedge"]
CMD ["--listen=0.0.0.0:8000,stream", "--zclient-stream=ipc:///var/run/zedge/client", \
     "--admin-listen=0.0.0.0:9090"]
