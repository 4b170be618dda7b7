# One image pattern for every service; the service is a build argument:
#
#   docker build --build-arg APP=intake -t closeloop/intake:0.1.0 .
#   (APP: any service of deploy/services.json, the list of the services)
#
# Stages: deps (every npm dependency, for the build) -> build (SWC, as tools/test-all.sh builds)
# -> prod-deps (production dependencies only) -> runtime (the app's compiled code and data files,
# non-root, working directory /app). dev-identity and kafka-setup are development tools for
# docker-compose.yml.
# Everything before the runtime stage is the same for all of them, so a second image reuses the
# cached layers. No BuildKit-only syntax, so the classic builder and docker-compose build it too.

FROM node:24.21.0-bookworm-slim AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# `npm install` with the committed lockfile, not `npm ci`: the lockfiles npm 11 writes here leave
# out other platforms' optional packages (@swc/core-darwin-*, ...), which `npm ci` rejects as out
# of sync. `npm install` installs the locked versions (see README, "Set-up").
FROM base AS deps
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund

FROM deps AS build
COPY tsconfig.base.json .swcrc ./
COPY libs ./libs
COPY apps ./apps
RUN npx swc apps libs -d dist --config-file .swcrc --quiet
# Files a service reads at run time from beside its code, relative to the working directory
# (intake: policy/access-policy.yaml, upstream/upstream-mappings.yaml): everything in apps/<app>/
# except its sources, tests and build configuration.
RUN set -e; for dir in apps/*/; do \
      app="${dir%/}"; mkdir -p "assets/$app"; \
      find "$app" -mindepth 1 -maxdepth 1 ! -name src ! -name test ! -name 'jest*.js' ! -name project.json ! -name 'tsconfig*.json' \
        -exec cp -R {} "assets/$app/" \; ; \
    done

FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force

# Development only (docker-compose.yml): the development identity provider, whose key pair intake
# trusts there (AUTH_JWKS_FILE) and which signs tokens to try the API. Not a service image.
FROM prod-deps AS dev-identity
COPY tools/auth ./tools/auth
RUN mkdir -p /var/lib/closeloop/dev-auth && chown node:node /var/lib/closeloop/dev-auth
ENV CLOSELOOP_STATE_DIR=/var/lib/closeloop
USER node
ENTRYPOINT ["node", "tools/auth/dev-identity.mjs"]
CMD ["init"]

# Development only (docker-compose.yml): creates the topics and the Kafka ACLs of
# deploy/kafka/acls.json as the broker's admin, with kafkajs from the production dependencies.
# Compose mounts the script and the table (tools/kafka/kafka-setup.mjs, deploy/kafka/acls.json).
FROM prod-deps AS kafka-setup
USER node
CMD ["node", "tools/kafka/kafka-setup.mjs"]

# The service image (the last stage: what `docker build` builds without --target).
# No NODE_ENV here on purpose: a service refuses to start without it, so whoever runs the image
# says production or development (compose, k8s). HOST: listen on every interface of the container.
FROM base AS runtime
ARG APP
RUN test -n "$APP" || { echo "build with --build-arg APP=<a service of deploy/services.json>" >&2; exit 1; }
ENV HOST=0.0.0.0 \
    APP=${APP}
# Code and dependencies stay owned by root: the service (user node, uid 1000) can read them, not change them.
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist/libs ./dist/libs
COPY --from=build /app/dist/apps/${APP} ./dist/apps/${APP}
COPY --from=build /app/assets/apps/${APP} ./apps/${APP}
RUN test -f "dist/apps/${APP}/src/main.js" || { echo "no service named '${APP}' (dist/apps/${APP}/src/main.js missing)" >&2; exit 1; }
USER node
# The service listens on PORT (by default its port in deploy/services.json); exec, so node gets
# SIGTERM and shuts down cleanly (Nest's shutdown hooks: relay, producer, database pool).
CMD ["sh", "-c", "exec node --enable-source-maps dist/apps/${APP}/src/main.js"]
