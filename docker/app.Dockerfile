# The Python 3.11 image: CRM service, action server and channel bridges.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1
COPY requirements/app.lock requirements/app.lock
RUN pip install --no-cache-dir --no-deps -r requirements/app.lock
COPY crm_backend crm_backend
COPY redaction redaction
COPY actions actions
COPY analytics analytics
COPY channels channels
COPY ops ops
COPY web web
EXPOSE 8000 5055
