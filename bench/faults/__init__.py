"""Fault injection: kill and restart each process under conversational load."""
