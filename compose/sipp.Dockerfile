# sipp from Debian's package (sip-tester), for the smoke call of docker-compose.yml.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends sip-tester \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10002 --user-group --home-dir /nonexistent --shell /usr/sbin/nologin sipp
USER sipp
