# syntax=docker/dockerfile:1
# ChatLoop as one executable in a small image:
#   docker build -t chatloop .
#   docker run -p 3000:3000 -v chatloop-data:/data -e JWT_SECRET="$(openssl rand -base64 48)" chatloop
# Stage 1 builds dist/chatloop exactly as `npm run build` does on a developer's machine
# (glibc, linux/amd64: the build pins --target=bun-linux-x64).
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && mkdir -p /out/data && cp dist/chatloop /out/chatloop

# The executable needs glibc and nothing else; distroless/cc has it (and CA certificates and
# time zones), and no shell or package manager.
FROM gcr.io/distroless/cc-debian12
COPY --from=build /out/chatloop /usr/local/bin/chatloop
# An empty /data owned by the runtime user: a new named volume takes its owner from it.
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
# Production: JWT_SECRET must be given (-e JWT_SECRET=...), and Bun never answers an error
# with its development page, which shows source code.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
VOLUME /data
EXPOSE 3000
# No curl here: the executable asks its own /readyz. The first start on an empty volume runs
# initdb (seconds, about 1 GB of memory), hence the start period.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["/usr/local/bin/chatloop", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/chatloop"]
