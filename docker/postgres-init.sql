-- Rasa's tracker store lives in its own database beside the CRM's.
CREATE DATABASE rasa OWNER concierge;
