#!/usr/bin/env bash
# Writes the compose farm's secrets into compose/secrets/ (never committed; .gitignore): the AMI secret and the ARI
# password twice (once for the agents, once in the "#include" form asterisk-conf/ reads), the router's admin token and
# the secret that signs its Record-Route.
# The folder is 0700: only you on this host reach the files; containers read them through their mounts.
set -euo pipefail
cd "$(dirname "$0")"
if [ -f secrets/ami.secret ]; then
  echo "compose/secrets/ exists already; remove it to make new secrets" >&2
  exit 0
fi
random() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }
mkdir -p secrets/asterisk
chmod 0700 secrets
ami="$(random)"
ari="$(random)"
printf '%s\n' "$ami" > secrets/ami.secret
printf '%s\n' "$ari" > secrets/ari.password
printf '%s\n' "$(random)" > secrets/admin-token
printf '%s\n' "$(random)" > secrets/route-secret
printf 'secret = %s\n' "$ami" > secrets/asterisk/ami-secret.conf
printf 'password = %s\n' "$ari" > secrets/asterisk/ari-password.conf
# Readable inside the containers, whose users (asterisk, roundhouse) are not yours; the 0700 folder keeps others out.
chmod 0644 secrets/ami.secret secrets/ari.password secrets/admin-token secrets/route-secret secrets/asterisk/*.conf
echo "compose/secrets/ written; export ROUNDHOUSE_ADMIN_TOKEN=\$(cat compose/secrets/admin-token) for ./roundhouse drain"
