# syntax=docker/dockerfile:1
# ea-mock-server, the EA Reporting API mock, as a container (e.g. a CI service).
#
#   docker build -t ea-mock-server .
#   docker run --rm -p 8080:8080 ea-mock-server                      # key: ea-mock-key
#   docker run --rm -p 8080:8080 -e EA_MOCK_API_KEYS=ci-key ea-mock-server --seed 7
#
# Every flag has an EA_MOCK_* variable, which is how CI service containers configure it.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# Only the workspace's manifests and sources and the spec the mock embeds, so a local
# target/ directory never enters the image.
COPY Cargo.toml Cargo.lock ./
COPY spec ./spec
COPY codegen ./codegen
COPY generated ./generated
COPY mock-server ./mock-server
COPY tests ./tests
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p ea-mock-server \
 && cp target/release/ea-mock-server /usr/local/bin/ea-mock-server

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --no-create-home ea-mock
COPY --from=build /usr/local/bin/ea-mock-server /usr/local/bin/ea-mock-server
USER ea-mock
# Listen on all interfaces of the container; EA_MOCK_HOST keeps that when CMD is replaced.
# The blob listener of the asynchronous report is on 10000 (set EA_MOCK_BLOB_PUBLIC_URL to the
# address clients reach it on, e.g. http://localhost:10000 with -p 10000:10000).
ENV EA_MOCK_HOST=0.0.0.0 \
    EA_MOCK_PORT=8080 \
    EA_MOCK_BLOB_PORT=10000
EXPOSE 8080 10000
# SIGTERM (docker stop) shuts the server down gracefully.
ENTRYPOINT ["ea-mock-server"]
CMD ["--host", "0.0.0.0"]
