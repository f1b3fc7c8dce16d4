# One image for web, worker and beat; docker-compose.yml picks the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 VAR_DIR=/var/lib/blagh

RUN useradd --system --create-home --home-dir /app blagh && mkdir -p /var/lib/blagh/evidence && chown -R blagh /var/lib/blagh
WORKDIR /app

COPY pyproject.toml README.md ./
COPY intake ./intake
COPY workers ./workers
RUN pip install -e . && pybabel compile -d intake/translations -D messages
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations
COPY gunicorn.conf.py ./

USER blagh
EXPOSE 8000
# gunicorn.conf.py picks processes and threads: several with REDIS_URL (shared rate limits), one
# with threads without it. docker-compose.yml sets WEB_WORKERS for its web service, which has Redis.
ENV BIND=0.0.0.0:8000
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
