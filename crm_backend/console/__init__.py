"""The agent console: server-rendered pages under /console (Jinja2, a little plain JS)."""
