# The Python 3.10 image: Rasa 3.6.21 with our custom components and a trained model. Only
# the runtime lock (no test tools). Rasa starts through bot/launch.py, which reads the API
# token from RASA_API_TOKEN instead of the command line.
FROM python:3.10-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 RASA_TELEMETRY_ENABLED=false
COPY requirements/rasa.lock requirements/rasa.lock
RUN pip install --no-cache-dir --no-deps -r requirements/rasa.lock
COPY config.yml config.yml
COPY protocol protocol
COPY bot bot
# The redactor its tracker store uses (bot/tracker_store.py), shared with the CRM.
COPY redaction redaction
COPY nlu_data nlu_data
RUN rasa train --config config.yml --domain bot/domain --data nlu_data --out models --fixed-model-name concierge
EXPOSE 5005
