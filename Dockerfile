# The rehearse image: nothing but the static binary and CA certificates, so
# it judges a plan and can reach TLS endpoints (the Docker API over TLS, a
# remote state) with nothing else to patch. `make image` assembles the build
# context (the linux binary as ./rehearse, the host's
# /etc/ssl/certs/ca-certificates.crt) and builds it with the legacy builder:
#
#	make image IMAGE=rehearse:dev
#	docker run --rm -v "$PWD:/work" -w /work rehearse:dev plan plan.json
FROM scratch
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY rehearse /rehearse
USER 65534:65534
ENTRYPOINT ["/rehearse"]
CMD ["--help"]
