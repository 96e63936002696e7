"""An article as it comes in (a file, a console form) and as it goes out, apart from the ORM class."""

import hashlib
import json
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
PUBLIC_URL_BASE = "https://concierge-shop.example/help/"
MAX_BODY_CHARS = 20_000


class ArticleIn(BaseModel):
    """What an author writes: validated the same way whether it comes from a file or the console."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    slug: str = Field(pattern=SLUG.pattern, max_length=80)
    title: str = Field(min_length=3, max_length=200)
    questions: list[str] = Field(default_factory=list, max_length=50)
    body: str = Field(min_length=1, max_length=MAX_BODY_CHARS)
    tags: list[str] = Field(default_factory=list, max_length=20)
    language: str = Field(default="en", pattern=r"[a-z]{2}(-[A-Z]{2})?")
    url: str | None = Field(default=None, max_length=255)
    published: bool = True

    @field_validator("questions", "tags")
    @classmethod
    def _clean_list(cls, values: list[str]) -> list[str]:
        cleaned = [str(value).strip() for value in values]
        return [value for value in cleaned if value]

    @field_validator("url")
    @classmethod
    def _safe_url(cls, value: str | None) -> str | None:
        # Only web links: a `javascript:` URL would run in the widget and the console.
        if value and not value.startswith(("https://", "http://", "/")):
            raise ValueError("the URL must start with https://, http:// or /")
        return value or None

    def public_url(self) -> str:
        return self.url or PUBLIC_URL_BASE + self.slug

    def content_hash(self) -> str:
        """A digest of everything that can change: equal digests mean an import has nothing to do."""
        fields = self.model_dump()
        fields["url"] = self.public_url()
        return hashlib.sha256(json.dumps(fields, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class ArticleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    title: str
    questions: list[str]
    body: str
    tags: list[str]
    language: str
    url: str
    published: bool
    revision: int
