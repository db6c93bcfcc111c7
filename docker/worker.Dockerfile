# syntax=docker/dockerfile:1
# The ledger worker. Build from the repository root:
#   docker build -f docker/worker.Dockerfile -t replicasafe/worker .
# The image is replicasafe/worker everywhere; .github/workflows/images.yml publishes it as REGISTRY/worker:COMMIT
# (and :vX.Y.Z for releases) for linux/amd64 and linux/arm64, and apps/deploy_apps.sh --registry R --tag T deploys it.
# Build stage: the official Swift image (Debian 12) plus the C libraries' headers.
ARG SWIFT_VERSION=6.3
FROM swift:${SWIFT_VERSION}-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends librdkafka-dev libpq-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The manifest names target folders under Sources/ and Tests/, so they come in with it.
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift package resolve
RUN swift build -c release --product worker --static-swift-stdlib \
    && install -D "$(swift build -c release --show-bin-path)/worker" /out/worker

# Runtime: slim Debian 12 with only the shared libraries the binary links (librdkafka, libpq).
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends librdkafka1 libpq5 libstdc++6 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin worker
COPY --from=build /out/worker /usr/local/bin/worker
USER 10001:10001
# Metrics/health port 9090 (docs/interfaces.md). SIGTERM is handled by the worker itself: `after` drains within
# SHUTDOWN_GRACE_SECONDS, `before` exits at once. `worker migrate` applies the schema and exits.
ENV HTTP_HOST=0.0.0.0 \
    HTTP_PORT=9090
EXPOSE 9090
ENTRYPOINT ["/usr/local/bin/worker"]
