# gridtwin in a container: runtime dependencies only (plus the PostgreSQL driver, so
# GRIDTWIN_DB may be a postgresql:// URL), run as an unprivileged user.
#   docker build -t gridtwin .
#   docker run --rm -p 8080:8080 -v gridtwin-data:/data gridtwin
# The banner (token, curl, export lines) is in `docker logs`. Bound to 0.0.0.0, the
# control plane and the dashboard's controls need the admin token printed there.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /build
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install ".[postgres]" && rm -rf /build

RUN useradd --create-home --uid 10001 gridtwin && mkdir /data && chown gridtwin /data
USER gridtwin
WORKDIR /data
# numba's compiled kernels and gridtwin's solar tables live in the volume with the
# database (site-packages is not writable by this user): a new container on the same
# volume starts without compiling or tabulating again.
ENV GRIDTWIN_DB=/data/gridtwin.db \
    NUMBA_CACHE_DIR=/data/.cache/numba \
    GRIDTWIN_CACHE_DIR=/data/.cache/gridtwin
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["gridtwin"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
