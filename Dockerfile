# syntax=docker/dockerfile:1
#
# The runner image of `canary k launch` (default ghcr.io/canary/canary:<package.json version>;
# another one with `--set image=...`, best by digest: `--set image=ghcr.io/canary/canary@sha256:...`).
# Its pods run `canary k run -g <group>` as UID 1000 with a read-only root filesystem, so nothing
# here may need to write outside /tmp (an emptyDir in the pod) at run time.
#
#   docker build -t ghcr.io/canary/canary:$(node -p "require('./package.json').version") .
#   docker run --rm --read-only --tmpfs /tmp --user 1000:1000 ghcr.io/canary/canary:<version> --version

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `prepare` would build before the sources are copied; no dependency has an install script.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY tools/bundle-cli.mjs ./tools/
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    NO_UPDATE_NOTIFIER=1 \
    NO_COLOR=1 \
    HOME=/tmp \
    TMPDIR=/tmp \
    CANARY_CACHE_DIR=/tmp/canary-cache
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/oclif.manifest.json ./
# Read at run time through the package root: oclif's configuration (package.json), built-in
# templates and plugins, published schemas, example experiments.
COPY bin ./bin
COPY plugins ./plugins
COPY schemas ./schemas
COPY experiments ./experiments
RUN chmod 0755 bin/run.js && ln -s /app/bin/run.js /usr/local/bin/canary
# Numeric, so the kubelet can check runAsNonRoot; the node image's "node" user.
USER 1000:1000
ENTRYPOINT ["canary"]
# What a launched pod runs (its Job sets the group: `canary k run -g <group>`).
CMD ["k", "run"]
