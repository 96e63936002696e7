# The Python 3.11 image of one deployable: LOCK=crm (CRM service and its job worker),
# LOCK=actions (action server) or LOCK=telegram (Telegram bridge). Each installs only its
# runtime lock (no test or lint tools) and the folders it runs.
FROM python:3.11-slim
ARG LOCK=crm
WORKDIR /app
ENV PYTHONUNBUFFERED=1
COPY requirements/${LOCK}.lock requirements/${LOCK}.lock
RUN pip install --no-cache-dir --no-deps -r requirements/${LOCK}.lock
COPY protocol protocol
COPY crm_backend crm_backend
COPY redaction redaction
COPY analytics analytics
COPY web web
COPY actions actions
COPY channels channels
# Data written in the container is private to its user.
RUN useradd --system --uid 10001 concierge && mkdir -p var && chown concierge var
USER concierge
EXPOSE 8000 5055
