# syntax=docker/dockerfile:1
# schemagate's GitHub Action image: the release binary plus a PostgreSQL server, so a
# workflow needs no `services:` block. See docs/github.md.
#
#   docker build -t schemagate .                                  # PostgreSQL 17 (Debian trixie)
#   docker build --build-arg PG_MAJOR=16 -t schemagate:pg16 .     # other majors come from apt.postgresql.org
#
# The container runs as root (GitHub mounts the workspace owned by the runner user and
# expects Docker actions to run as root); PostgreSQL refuses to run as root, so schemagate
# starts the server as the `postgres` system user the Debian package creates.

ARG DEBIAN_RELEASE=trixie

FROM rust:1-slim-${DEBIAN_RELEASE} AS build
WORKDIR /src
COPY . .
RUN CARGO_PROFILE_RELEASE_STRIP=true cargo build --release --locked --bin schemagate

FROM debian:${DEBIAN_RELEASE}-slim
ARG PG_MAJOR=17
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# Debian's postgresql-common would create and start a "main" cluster on install; schemagate
# makes its own throwaway clusters, so turn that off. When Debian lacks the requested major,
# postgresql-common's bundled script adds the PGDG repository (its signing key ships with it).
RUN mkdir -p /etc/postgresql-common/createcluster.d \
    && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/schemagate.conf \
    && apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates git postgresql-common \
    && if ! apt-cache show "postgresql-${PG_MAJOR}" > /dev/null 2>&1; then \
         /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y; \
       fi \
    && apt-get install -y --no-install-recommends "postgresql-${PG_MAJOR}" \
    && rm -rf /var/lib/apt/lists/* \
    && test -x "/usr/lib/postgresql/${PG_MAJOR}/bin/postgres"
COPY --from=build /src/target/release/schemagate /usr/local/bin/schemagate
# PG_BIN: where schemagate finds initdb/postgres. LANG: clusters default to UTF8, not
# SQL_ASCII. The GIT_CONFIG_* trio marks the mounted workspace (owned by another uid) as
# safe, so `git` can read the PR's base commit.
ENV PG_BIN=/usr/lib/postgresql/${PG_MAJOR}/bin \
    LANG=C.UTF-8 \
    GIT_CONFIG_COUNT=1 \
    GIT_CONFIG_KEY_0=safe.directory \
    GIT_CONFIG_VALUE_0=*
ENTRYPOINT ["/usr/local/bin/schemagate"]
CMD ["--help"]
