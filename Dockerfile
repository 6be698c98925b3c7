# syntax=docker/dockerfile:1
# One image for every agent: the command picks the agent (`support-agents <agent>`), so each
# Kubernetes workload sets `args: ["billing"]` and so on. Node runs the TypeScript sources
# directly (type stripping), so there is no build step: the image holds bin/, src/ and the
# production dependencies.
#
#   docker build -t support-agents:0.1.0 .
#   docker run --rm support-agents:0.1.0 --help

# ---- dependencies: production only, installed from the lock file ---------------------------
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm cache clean --force

# ---- runtime ---------------------------------------------------------------------------------
FROM node:24-slim AS runtime
ENV NODE_ENV=production
# V8's heap, capped: left to itself V8 grows the old generation to ~150 MB and the young one to
# ~50 MB between collections under load, although an agent's live heap is ~50 MB; an agent then
# peaked at 370-500 MB RSS. With these caps it stays near 200 MB at full speed for ~15% more CPU
# (npm run bench:kafka measures with the same options; README, Performance). Raise them for an
# agent that needs more (a pod's env NODE_OPTIONS replaces this line).
ENV NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=8"
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
COPY src ./src
# The image's `node` user (uid and gid 1000), numeric so that Kubernetes' runAsNonRoot can
# verify it. Nothing in /app is writable by it; the agents write only to /tmp and, for the
# escalation agent, to the volume at /data.
USER 1000:1000
# Metrics, /healthz and /readyz (9090-9096 per agent), and the escalation agent's HTTP API.
EXPOSE 9090 9091 9092 9093 9094 9095 9096 8094
ENTRYPOINT ["node", "bin/support-agents.js"]
CMD ["triage"]
