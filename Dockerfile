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
COPY tools/bundle-cli.mjs tools/third-party-notices.mjs ./tools/
COPY bin ./bin
COPY plugins ./plugins
COPY schemas ./schemas
COPY experiments ./experiments
COPY protos ./protos
# The same artefact as npm: the tarball `npm pack` publishes (test/package/dockerfile.test.ts checks
# that this stage has every file it packs).
RUN npm run build && npm pack --ignore-scripts --pack-destination /tmp \
 && mv /tmp/canary-slo-*.tgz /tmp/canary-slo.tgz

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    NO_UPDATE_NOTIFIER=1 \
    NO_COLOR=1 \
    HOME=/tmp \
    TMPDIR=/tmp \
    CANARY_CACHE_DIR=/tmp/canary-cache
# Installed as a user installs it (production dependencies from the registry), then the tarball goes.
COPY --from=build /tmp/canary-slo.tgz /tmp/
RUN npm install --global --omit=dev --no-audit --no-fund /tmp/canary-slo.tgz \
 && rm /tmp/canary-slo.tgz && npm cache clean --force
# Numeric, so the kubelet can check runAsNonRoot; the node image's "node" user.
USER 1000:1000
ENTRYPOINT ["canary"]
# What a launched pod runs (its Job sets the group: `canary k run -g <group>`).
CMD ["k", "run"]
