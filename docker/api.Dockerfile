# syntax=docker/dockerfile:1
# The events api. Build from the repository root:
#   docker build -f docker/api.Dockerfile -t replicasafe/api .
# The image is replicasafe/api everywhere; .github/workflows/images.yml publishes it as REGISTRY/api:COMMIT (and
# :vX.Y.Z for releases) for linux/amd64 and linux/arm64, and apps/deploy_apps.sh --registry R --tag T deploys it.
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
RUN swift build -c release --product api --static-swift-stdlib \
    && install -D "$(swift build -c release --show-bin-path)/api" /out/api

# Runtime: slim Debian 12 with only the shared libraries the binary links (librdkafka, libpq).
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends librdkafka1 libpq5 libstdc++6 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin api
COPY --from=build /out/api /usr/local/bin/api
USER 10001:10001
ENV HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/api"]
