# Ferry daemon image. Build:  docker build -t ferry:local .
# Run:    docker compose up -d   (see compose.yaml and docs/deploy.md)
#
# Written for the classic builder as well as BuildKit: no `RUN --mount`, no heredocs, no
# `# syntax=` line, so it builds on any Docker engine, including distro packages without buildx.

# ── build stage: compile TypeScript, the admin SPA and the native SQLite binding ─────────────
# Node 22 LTS, not 24: on Node 24.19+ better-sqlite3 12.x (compiled from source, the legacy
# node::ObjectWrap) aborts the process when a statement is garbage collected
# (`RemoveEnvironmentCleanupHook: Assertion failed: (env) != nullptr`, nodejs/node#65446). The fix
# is better-sqlite3 13 (Node-API), which needs Node >= 22 while Ferry still supports Node 20.19.
# tests/docker/smoke.mjs caught it: the daemon crash-looped at start with the semi-space flag.
FROM node:22-slim AS build

# better-sqlite3 is compiled here from source against this image's Node headers instead of
# fetching a prebuilt binary: reproducible, no download at build time, and always the right ABI.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local \
    npm_config_build_from_source=true \
    npm_config_fund=false \
    npm_config_audit=false \
    npm_config_update_notifier=false

WORKDIR /app

# Dependencies first, sources later: a source edit then reuses the (slow) install + compile
# layer. --ignore-scripts because `prepare` would build sources that are not copied yet;
# `npm rebuild` then runs the dependencies' own install scripts (the native compile).
# .npmrc comes along so the project's npm settings (engine-strict...) apply here too.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts \
 && npm rebuild \
 && node -e "require('better-sqlite3')(':memory:').prepare('select 1').get()"

COPY . .
# The same build `npm ci` runs through `prepare`: dist/ (server, cli, mcp, migrations) and
# admin/build (the SPA the daemon serves at /admin).
RUN npm run build \
 && test -f dist/server/main.js \
 && test -f admin/build/index.html

# Drop dev dependencies. --ignore-scripts: pruning must not re-run `prepare` (the build tools
# are gone by then) nor touch the compiled binding. Of better-sqlite3's compile (~26 MB of
# SQLite sources and object files) only the addon itself is kept. The check proves it loads.
RUN npm prune --omit=dev --ignore-scripts \
 && cd node_modules/better-sqlite3 \
 && mv build/Release/better_sqlite3.node /tmp/ \
 && rm -rf build deps src \
 && mkdir -p build/Release \
 && mv /tmp/better_sqlite3.node build/Release/ \
 && cd /app \
 && node -e "require('better-sqlite3')(':memory:').prepare('select 1').get()"

# ── runtime stage: only what the daemon needs, run by an unprivileged user ──────────────────
FROM node:22-slim

# tini as PID 1: forwards SIGTERM to the daemon (so `docker stop` drains it gracefully) and
# reaps the zombies that commands run through exec may leave behind.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

# The daemon listens on all interfaces inside the container (the network namespace is the
# boundary; compose.yaml publishes the port on the host's loopback only). Its Host-header
# allow-list accepts IP literals and localhost, so http://127.0.0.1:<published port> works.
ENV NODE_ENV=production \
    FERRY_HOME=/data \
    FERRY_HOST=0.0.0.0 \
    FERRY_PORT=7717

WORKDIR /app
# Application files stay owned by root: the daemon (and any command it runs) cannot rewrite
# its own code.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/admin/build ./admin/build
COPY deploy/docker/healthcheck.mjs ./deploy/docker/healthcheck.mjs

# The data dir exists in the image with the right owner and mode before VOLUME, so a fresh
# named volume is initialised from it as node:node 0700 (identity key, admin token, database).
RUN mkdir -p /data \
 && chown node:node /data \
 && chmod 0700 /data
VOLUME /data

USER node
# 7717: local API and admin (token). 7718: the peer listener (mutual TLS, pinned certificates).
EXPOSE 7717 7718

# Probes the unauthenticated health route; start-period covers first start (identity and
# database creation). compose.yaml repeats these values so they are visible to operators.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/app/deploy/docker/healthcheck.mjs"]

ENTRYPOINT ["/usr/bin/tini", "--"]
# The daemon's node flags (server/node-flags.ts): V8 reads them only at start.
CMD ["node", "--max-semi-space-size=2", "dist/server/main.js"]
