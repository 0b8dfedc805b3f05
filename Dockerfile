# One image with both services, the web console and reportctl, built with the same script as
# the README's commands (deploy/install-deps.sh installs Debian's packages;
# nothing is downloaded at build time beyond them).
FROM debian:12 AS build
WORKDIR /src
COPY . .
RUN ./deploy/build.sh

FROM debian:12
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libgrpc++1.51 libprotobuf32 libspdlog1.10 libsqlite3-0 libre2-9 libssl3 libpqxx-6.4 \
      libabsl20220623 ca-certificates \
      libpoppler-cpp0v5 libgumbo1 libzip4 libpugixml1v5 libtesseract5 tesseract-ocr-chi-sim \
      libcpp-httplib0.11 libjs-chart.js \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 disclosure \
    && useradd --system --uid 10001 --gid 10001 --home /var/lib/disclosure disclosure \
    && mkdir -p /var/lib/disclosure && chown disclosure /var/lib/disclosure
COPY --from=build /src/build/submit_service/submit_service /src/build/audit_service/audit_service \
     /src/build/reportctl/reportctl /src/build/reportctl/reportctl-remote \
     /src/build/console/console /usr/local/bin/
COPY --from=build /src/console/pages/ /usr/local/share/disclosure/console/
# The OCR engine module, loaded only when a scan is read (core/import/ocr_engine.h).
COPY --from=build /src/build/lib/libdisclosure_ocr.so /usr/local/lib/
RUN ldconfig
# A fixed uid/gid, which deploy/k8s's securityContext names.
USER 10001:10001
WORKDIR /var/lib/disclosure
# The command and flags come from the orchestrator (deploy/k8s/*.yaml).
