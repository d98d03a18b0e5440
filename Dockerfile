# quilt-mcp-gateway container image.
#
#   docker build -t quilt-mcp-gateway .
#   docker run --rm -p 8000:8000 -e MCP_JWT_SECRET="$(openssl rand -base64 48)" \
#     -e MCP_ALLOWED_REGISTRY_HOSTS=registry.example.com quilt-mcp-gateway
#
# Base image: the slim Debian Node.js image of an LTS line, pinned by tag; .ci/run tests on Node 22
# and 24, so the default is a tested major. Node 24 is an LTS line
# (supported until April 2028); by the Node.js release schedule Node 26 becomes the Active LTS line
# in October 2026. Switch with --build-arg NODE_VERSION=26 once that tag is verified in your registry
# mirror; for reproducible production builds pin the digest too (node:24-bookworm-slim@sha256:...).
ARG NODE_VERSION=24

# ---- build: all dependencies (the sample stack's too), compile TypeScript ---------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# The manifests alone first, so the dependency layer is reused until they change.
COPY package.json package-lock.json ./
COPY packages/sample-stack/package.json ./packages/sample-stack/
# --ignore-scripts: no dependency gets to run code at install time; only esbuild (a dev tool, unused
# by `tsc`) has an install script, and the image does not need it.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- production dependencies: the gateway's alone (no workspace: the sample stack is not shipped) -------
FROM node:${NODE_VERSION}-bookworm-slim AS production-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/sample-stack/package.json ./packages/sample-stack/
# Node loads the AWS SDK's CommonJS build (its package exports put "node" before "import"); the ES build,
# the type declarations and source maps are for bundlers and editors, about 60 MB the runtime never reads.
RUN npm ci --omit=dev --workspaces=false --include-workspace-root --ignore-scripts --no-audit --no-fund \
 && find node_modules/@aws-sdk node_modules/@smithy -mindepth 2 -maxdepth 2 -type d \( -name dist-es -o -name dist-types \) -exec rm -rf {} + \
 && find node_modules \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \) -delete

# ---- sample-stack: the demo's registry, S3 and Athena, run from source (docker compose only) ------------
FROM build AS sample-stack
COPY packages/sample-stack ./packages/sample-stack
USER node
CMD ["node", "--import", "tsx", "packages/sample-stack/src/cli.ts", "sample-registry", "--port", "4000", "--host", "127.0.0.1"]

# ---- runtime: compiled code and production dependencies only -----------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime

# Re-declared: an ARG given before the first FROM is not visible inside a stage.
ARG NODE_VERSION
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="quilt-mcp-gateway" \
      org.opencontainers.image.description="Multi-tenant Model Context Protocol gateway for the Quilt data catalog" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="docker.io/library/node:${NODE_VERSION}-bookworm-slim"

# HOST=0.0.0.0: a container must listen on all interfaces to be reachable through its port mapping.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000

WORKDIR /app
# Copied files stay owned by root: the `node` user can read but not change them, so the process cannot
# rewrite its own code, and the image runs unchanged with a read-only root file system.
# package.json is read at run time for the version (src/config/version.ts).
COPY --from=build /app/package.json ./package.json
COPY --from=production-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

USER node
EXPOSE 8000

# The slim image has no curl or wget; node's own fetch probes the liveness route.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# Exec form, no npm and no shell in between: SIGTERM reaches node, which finishes in-flight requests
# within MCP_SHUTDOWN_TIMEOUT_MS (default 25 s) and exits. Keep the orchestrator's stop timeout above
# that (ECS stopTimeout 30, `docker stop -t 30`, compose stop_grace_period 30s).
STOPSIGNAL SIGTERM
CMD ["node", "dist/cli.js", "serve"]
