# Router image: built with the project's Maven wrapper on a JDK, run on a JRE as a non-root user.
# Context: the repository root (docker-compose.yml sets it).
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q -pl router -am package -DskipTests

FROM eclipse-temurin:17-jre
# curl for the health check; a system user without a home or a shell runs the router.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /nonexistent --shell /usr/sbin/nologin roundhouse
COPY --from=build /src/router/target/router.jar /opt/roundhouse/router.jar
USER roundhouse
EXPOSE 5060/udp 5060/tcp 9465/tcp
# /healthz of the admin listener (compose/router.yml: admin.listen 0.0.0.0:9465).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:9465/healthz || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/roundhouse/router.jar"]
CMD ["--config", "/etc/roundhouse/router.yml"]
