"""Help-centre articles as Markdown files with YAML front matter, the format shop owners drop in.

    ---
    title: Shipping costs and free delivery
    questions: [How much is delivery?, Is shipping free?]
    tags: [shipping]
    ---
    Markdown body...

The slug is the file name without `.md` unless the front matter names one.
"""

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from crm_backend.kb.schemas import ArticleIn

FENCE = "---"


@dataclass(frozen=True)
class Rejected:
    path: Path
    reason: str


def parse(text: str, *, default_slug: str) -> ArticleIn:
    """The article in `text`; raises ValueError with a short reason when it is not one."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != FENCE:
        raise ValueError("no front matter (the file must start with ---)")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    except StopIteration:
        raise ValueError("front matter is not closed with ---") from None
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as error:
        raise ValueError(f"front matter is not valid YAML ({type(error).__name__})") from None
    if not isinstance(meta, dict):
        raise ValueError("front matter must be a mapping")
    meta.setdefault("slug", default_slug)
    try:
        return ArticleIn(**meta, body="\n".join(lines[end + 1 :]).strip())
    except (ValidationError, TypeError) as error:
        raise ValueError(_first_problem(error)) from None


def _first_problem(error: Exception) -> str:
    if isinstance(error, ValidationError):
        problem = error.errors()[0]
        return f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
    return str(error)


def read_folder(folder: Path) -> tuple[list[ArticleIn], list[Rejected]]:
    """Every `*.md` file of `folder` (sorted), each either an article or a rejection."""
    articles: list[ArticleIn] = []
    rejected: list[Rejected] = []
    seen: set[str] = set()
    for path in sorted(folder.glob("*.md")):
        try:
            article = parse(path.read_text(encoding="utf-8"), default_slug=path.stem)
        except UnicodeDecodeError:
            rejected.append(Rejected(path, "not UTF-8 text"))
            continue
        except ValueError as error:
            rejected.append(Rejected(path, str(error)))
            continue
        if article.slug in seen:
            rejected.append(Rejected(path, f"slug {article.slug!r} is used by another file"))
            continue
        seen.add(article.slug)
        articles.append(article)
    return articles, rejected


def render(article: ArticleIn) -> str:
    """The file for `article`: parse(render(a)) == a."""
    meta = article.model_dump(exclude={"body"})
    text = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    return f"{FENCE}\n{text}{FENCE}\n{article.body}\n"
