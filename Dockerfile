# zedge image: build on Debian 12 with the same install script the README uses, run on
# Debian 12 slim with only the runtime libraries. (The chart and a read-only-rootfs
# profile come with the Kubernetes issue.)
FROM debian:12 AS build
WORKDIR /src
COPY deploy/install-deps.sh deploy/install-deps.sh
RUN bash deploy/install-deps.sh --runtime-only
COPY . .
RUN ZEDGE_BUILD_DIR=/build bash deploy/build.sh -DZEDGE_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=Release

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends libzmq5 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/cmd/zedge/zedge /usr/local/bin/zedge
COPY --from=build /build/cmd/zedge-hello-handler/zedge-hello-handler /usr/local/bin/zedge-hello-handler
USER 65532:65532
EXPOSE 8000
STOPSIGNAL SIGTERM
ENTRYPOINT ["zedge"]
