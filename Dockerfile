# One image for every Eaglepool process: the operator and all pool services.
#   docker build -t eaglepool:dev .                       (registry base: node:20-bookworm-slim)
#   e2e/image/build.sh                                    (no registry: buildah + local base image)
# The Eaglesong and Noise WASM modules are committed, so building needs only npm and tsc.
ARG BASE_IMAGE=docker.io/library/node:20-bookworm-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY proto ./proto
COPY pool ./pool
COPY operator ./operator
# Compile (tsc; Vite builds the miners' dashboard into dist/web), put each committed .wasm next to its
# compiled module, drop dev dependencies (the dashboard is static files by then).
RUN npm run build \
 && find pool operator -path '*/src/*' -name '*.wasm' -exec cp --parents {} dist/ \; \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/.cache

FROM ${BASE_IMAGE}
RUN groupadd --gid 10001 eaglepool \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin eaglepool
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# Works with a read-only root filesystem: nothing writes outside /tmp (mount an emptyDir there).
USER 10001:10001
EXPOSE 34254 9090 8080
ENTRYPOINT ["node", "/app/dist/pool/src/cli/main.js"]
CMD ["--help"]
