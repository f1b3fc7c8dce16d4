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
# gunicorn.conf.py: 4 processes x 4 threads here (REDIS_URL shares the rate limits between them).
ENV BIND=0.0.0.0:8000 WEB_WORKERS=4 WEB_THREADS=4
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
