# syntax=docker/dockerfile:1
# The simulator, for the fuzzing fleet (apps/fuzz: `sim sweep --shard`, `sim merge`). Build from the repository
# root:
#   docker build -f docker/sim.Dockerfile -t replicasafe/sim .
# `sim` links no C library of ours (Core + Sim + ArgumentParser + Yams), so the runtime image needs nothing
# beyond the C runtime; /bin/sh stays for the Job's wrapper, which records sim's exit status.
ARG SWIFT_VERSION=6.3
FROM swift:${SWIFT_VERSION}-bookworm AS build
WORKDIR /src
# The manifest names target folders under Sources/ and Tests/, so they come in with it.
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift package resolve
RUN swift build -c release --product sim --static-swift-stdlib \
    && install -D "$(swift build -c release --show-bin-path)/sim" /out/sim

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libstdc++6 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin sim
COPY --from=build /out/sim /usr/local/bin/sim
USER 10001:10001
ENTRYPOINT ["/usr/local/bin/sim"]
