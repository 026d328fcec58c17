# Enclave's image: the server with its web app, on the embedded database unless DATABASE_URL
# says otherwise. docs/containers.md says how to build and run it.
#
#   docker build -t enclave .
#   docker run -p 127.0.0.1:3000:3000 -e JWT_SECRET="$(openssl rand -base64 48)" enclave
#
# NODE_IMAGE is the official node:24-bookworm-slim; any image laid out like it will do (this
# repository's CI builds on enclave-local/node:24-bookworm-slim, made from Debian's packages:
# npm run images:local).
ARG NODE_IMAGE=node:24-bookworm-slim

# Build: the pinned pnpm installs the workspace and builds every package, then `pnpm deploy`
# copies the server out with its production dependencies only, beside the web app's build.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json ./
RUN npm install --global --no-fund --no-audit --loglevel=error \
      "$(node -p "require('./package.json').packageManager")"
# The manifests first: the install is redone only when one of them changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY packages/contract/package.json packages/contract/
COPY packages/client/package.json packages/client/
COPY apps/server/package.json apps/server/
COPY apps/web/package.json apps/web/
RUN pnpm install --frozen-lockfile
COPY tsconfig.base.json ./
COPY scripts ./scripts
COPY packages ./packages
COPY apps ./apps
RUN pnpm --recursive run build \
 && pnpm --filter @enclave/server deploy --legacy --prod /out/apps/server \
 && mkdir -p /out/apps/web && cp -r apps/web/dist /out/apps/web/dist \
 # What a running server never reads: source maps (they give the source away), TypeScript
 # sources and declarations, build records, tests and documents of the dependencies (their
 # licences stay).
 && find /out \( -name '*.map' -o -name '*.ts' -o -name '*.d.cts' -o -name '*.d.mts' \
      -o -name '*.tsbuildinfo' -o -name 'tsconfig*.json' -o -name '*.test.js' -o -name '*.spec.js' \
      -o \( -name '*.md' ! -iname 'licen[cs]e*' \) \) -type f -delete \
 && find /out -depth -type d \( -name test -o -name tests -o -name __tests__ \) \
      -path '*/node_modules/*' -exec rm -rf {} +

# Run: node itself is the container's first process, so SIGTERM reaches the server (which
# drains its connections, docs/production.md) with no npm in between.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
WORKDIR /app
# Owned by root: the server's user can read its code, never change it.
COPY --from=build /out/apps ./apps
# The embedded database's folder, the server user's alone (it refuses a folder open to others).
RUN mkdir /data && chown node:node /data && chmod 700 /data
VOLUME /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 CMD ["node", "-e", \
  "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--max-semi-space-size=16", "apps/server/dist/main.js"]
