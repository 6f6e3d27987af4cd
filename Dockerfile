# Broadsheet: build the TypeScript once, ship only what runs.
# docker compose (docker-compose.yml) pairs it with PostgreSQL; alone it needs
# DATABASE_URL and SESSION_SECRET (at least 32 characters). WEB_CONCURRENCY=N
# runs N worker processes in the one container.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
COPY tools ./tools
RUN npm run build

FROM node:20-bookworm-slim AS runtime
# MALLOC_MMAP_THRESHOLD_: see src/platform/malloc-settings.ts.
ENV NODE_ENV=production \
    MALLOC_MMAP_THRESHOLD_=1048576 \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data
WORKDIR /app
# pg_dump and pg_restore for `npm run backup` / `npm run restore`: version 15,
# the major version of the embedded PostgreSQL and of the compose database
# (pg_dump refuses a server newer than itself). Debian bookworm ships 15.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Install scripts stay enabled: argon2 picks its native build at install time.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# Migrations are compiled into dist/migrations.
COPY --from=build /app/dist ./dist
COPY views ./views
COPY public ./public
COPY content ./content
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The heap flags: see src/platform/heap-settings.ts.
CMD ["node", "--max-old-space-size=512", "--max-semi-space-size=8", "dist/src/server.js"]
