# syntax=docker/dockerfile:1
# One image for every agent: the command picks the agent (`support-agents <agent>`), so each
# Kubernetes workload sets `args: ["billing"]` and so on. The image runs the sources compiled
# to JavaScript (`npm run build`, scripts/build.ts): Node could run the TypeScript directly, as
# it does in development, but type stripping keeps a WebAssembly compiler in every process
# (about 20 MiB of an agent's memory). It holds dist/ and the production dependencies.
#
#   docker build -t support-agents:0.1.0 .
#   docker run --rm support-agents:0.1.0 --help

# ---- dependencies: production only, installed from the lock file ---------------------------
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm cache clean --force

# ---- build: the sources compiled to JavaScript (the compiler is a dev dependency; only dist/
# leaves this stage) -------------------------------------------------------------------------
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY scripts/build.ts ./scripts/build.ts
RUN node scripts/build.ts

# ---- runtime ---------------------------------------------------------------------------------
FROM node:24-slim AS runtime
ENV NODE_ENV=production
# V8's heap, capped: left to itself V8 grows the old generation to ~150 MB and the young one to
# ~50 MB between collections under load, although an agent's live heap is ~50 MB; an agent then
# peaked at 300-500 MB RSS. With these caps (and the entrypoint's --heap-growing-percent, below)
# it stays under 200 MB at full speed (npm run bench:kafka measures with the same options;
# README, Performance). Raise them for an agent that needs more (a pod's env NODE_OPTIONS
# replaces this line).
ENV NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=8"
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY --from=build /app/dist ./dist
# The image's `node` user (uid and gid 1000), numeric so that Kubernetes' runAsNonRoot can
# verify it. Nothing in /app is writable by it; the agents write only to /tmp and, for the
# escalation agent, to the volume at /data.
USER 1000:1000
# Metrics, /healthz and /readyz (9090-9096 per agent), and the escalation agent's HTTP API.
EXPOSE 9090 9091 9092 9093 9094 9095 9096 8094
# --heap-growing-percent=60: under an explicit heap cap V8 lets the old generation grow only
# ~30% past the live heap before collecting it again, every few hundred milliseconds at full
# speed; 60% halves the major collections and cut the agents' CPU per ticket by about a quarter
# (npm run bench:kafka, 60,000 tickets: 75 + 87 µs against 105 + 123) at 178-180 MiB peak RSS.
# Node refuses it in NODE_OPTIONS, so it is given here.
ENTRYPOINT ["node", "--heap-growing-percent=60", "dist/bin/support-agents.js"]
CMD ["triage"]
