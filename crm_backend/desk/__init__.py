"""The agents' desk: the live inbox (unread counts, views, SLA timers), canned replies, and the
link between a handoff and its ticket. It sits above handoff, tickets and transcripts."""
