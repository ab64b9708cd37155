# syntax=docker/dockerfile:1
# Trading worker image. Built by docker-compose.yml (service trader-worker).
#   docker build -t durable-trader .
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- base: Node 20 + the npm release that wrote package-lock.json ----------
FROM ${NODE_IMAGE} AS base
# npm >= 11.16 reads the `allowScripts` policy in package.json; Node 20 ships npm 10.
ARG NPM_VERSION=11.19.1
RUN npm install -g "npm@${NPM_VERSION}" && npm cache clean --force
WORKDIR /app

# ---- build: all dependencies, compile TypeScript to dist/ -------------------
FROM base AS build
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

# ---- runtime: production dependencies + compiled output ---------------------
FROM base AS runtime
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY config ./config
COPY migrations ./migrations
COPY bin ./bin
# Code stays root-owned (read-only for the app); the working directory itself is
# writable so the STOP kill-switch file can be created with
#   docker compose exec trader-worker touch STOP
RUN chown node:node /app
USER node
CMD ["node", "dist/workers/main.js"]
