# The image that `hasim sweep ... --emit k8s-job` runs: Node.js with hasim installed from the package
# this repository packs, so the image holds what `npm install -g` of a release holds and nothing else.
#
#   docker build -t hasim:0.3.0 .
#   docker run --rm hasim:0.3.0 hasim --version
#
# Build stage: install the dependencies, compile, pack.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build && npm pack --ignore-scripts && mv hasim-*.tgz /tmp/hasim.tgz

# Run stage: the packed hasim installed globally, run as the unprivileged node user.
FROM node:20-bookworm-slim
COPY --from=build /tmp/hasim.tgz /tmp/hasim.tgz
RUN npm install -g /tmp/hasim.tgz --no-audit --no-fund && rm /tmp/hasim.tgz && npm cache clean --force
USER node
WORKDIR /home/node
CMD ["hasim", "--help"]
