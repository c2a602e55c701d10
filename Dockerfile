FROM python:3.11-slim-bookworm
# WeasyPrint needs Pango; Chinese PDFs need the CJK fonts and harfbuzz-subset (10x faster, smaller files).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 \
    libpangoft2-1.0-0 gettext \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY perfeval perfeval
COPY departments departments
COPY indicators indicators
COPY reports reports
RUN pip install --no-cache-dir .
COPY . .
ENV DEBUG=0 PYTHONUNBUFFERED=1
RUN SECRET_KEY=build python manage.py collectstatic --noinput -v0 \
 && SECRET_KEY=build python manage.py compilemessages -v0
EXPOSE 8000
CMD ["gunicorn", "perfeval.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
