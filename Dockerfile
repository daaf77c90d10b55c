# Palisade: the `palisade` binary on a slim runtime image.
#   docker build -t palisade .
#   docker run -p 8080:8080 palisade proxy --listen 0.0.0.0:8080 --upstream http://app:3000
FROM rust:1.88-slim-bookworm AS build
WORKDIR /src
# Only what the build reads (no target/, no test data): the workspace crates
# and the signature and policy data the engine embeds.
COPY Cargo.toml Cargo.lock ./
COPY engine engine
COPY server server
COPY benches benches
COPY signatures signatures
COPY rules rules
RUN cargo build --release --locked -p palisade-server \
 && strip target/release/palisade

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --no-create-home palisade
COPY --from=build /src/target/release/palisade /usr/local/bin/palisade
USER palisade
EXPOSE 8080 8443 9090
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/palisade"]
CMD ["proxy", "--listen", "0.0.0.0:8080", "--upstream", "http://127.0.0.1:3000", "--admin", "0.0.0.0:9090"]
