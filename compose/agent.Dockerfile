# Agent image: built with the project's Maven wrapper on a JDK, run on a JRE as a non-root user.
# Context: the repository root (docker-compose.yml sets it).
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q -pl asterisk-agent -am package -DskipTests

FROM eclipse-temurin:17-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /nonexistent --shell /usr/sbin/nologin roundhouse
COPY --from=build /src/asterisk-agent/target/asterisk-agent.jar /opt/roundhouse/asterisk-agent.jar
USER roundhouse
# The agent's metrics endpoint (compose/agent-N.yml: metrics.listen 127.0.0.1:9466) answers while it runs.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:9466/metrics -o /dev/null || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/roundhouse/asterisk-agent.jar"]
CMD ["--config", "/etc/roundhouse/agent.yml"]
