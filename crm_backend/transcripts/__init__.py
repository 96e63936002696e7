"""Transcripts: Rasa's own event records, read for review, and an index of conversations."""
