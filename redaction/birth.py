"""Dates of birth: a date counts only near a birth keyword, in many languages ("DOB", "d.o.b.",
"born", "b.", "birthday", "geb.", "né le", "fecha de nacimiento", "født"...), after it (on its
line, or on the next when the keyword ends its line: a form) or just before it ("12/03/1985
<- my dob"). A bare year counts right after "born" or "year of birth". A date in this year or
later is an appointment, and one near "birthday" in the last years is a party or a present.
"""

import datetime
import re

from redaction.rules import DATE_OF_BIRTH, PiiSpan

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|januar|februar|märz|mär|jän(?:ner)?|mai|juni|juli|okt(?:ober)?|"
    r"dez(?:ember)?|janv(?:ier)?|f[ée]vr?(?:ier)?|mars|avr(?:il)?|juin|juil(?:let)?|août|septembre|octobre|"
    r"novembre|d[ée]cembre|déc|enero|ene|febrero|marzo|abril|abr|mayo|junio|julio|agosto|ago|septiembre|"
    r"setiembre|octubre|noviembre|diciembre|dic|gennaio|gen|febbraio|aprile|maggio|mag|giugno|giu|luglio|lug|"
    r"settembre|set|ottobre|ott|dicembre|januari|februari|maart|mrt|mei|augustus|augusti|marts|maj|"
    r"janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|novembro|dezembro|desember|"
    r"stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|grudnia)\.?"
)
_SPELLED_DAY = (
    r"(?:(?:twenty|thirty)[\s-]?)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|tenth|eleventh|"
    r"twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth"
)
_DAY = rf"(?:(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th|er|º|\.)?|{_SPELLED_DAY})"
_YEAR = r"(?:19|20)\d{2}"
_DATE = (
    rf"(?:\d{{1,2}}[./-]\d{{1,2}}[./-](?:\d{{4}}|\d{{2}})|\d{{4}}[./-]\d{{1,2}}[./-]\d{{1,2}}|"
    rf"\d{{1,2}} ?(?P<sep>[./-]) ?\d{{1,2}} ?(?P=sep) ?(?:{_YEAR}|\d{{2}})|{_YEAR} \d{{2}} \d{{2}}|"
    rf"(?:the\s+)?{_DAY}\s*(?:of\s+|de\s+|[-/. ]\s*)?{_MONTHS}\s*,?[-/ ]?\s*(?:de\s+|del\s+)?(?:{_YEAR}|'?\d{{2}})|"
    rf"{_MONTHS}(?:\s+|-)(?:the\s+)?{_DAY}\s*[,-]?\s*(?:{_YEAR}|'\d{{2}})|{_MONTHS}\s*,?\s+{_YEAR}|"
    rf"{_YEAR}[-/ ]{_MONTHS}[-/ ]\d{{1,2}}|\d{{1,2}}\s+\d{{1,2}}\s+{_YEAR}|\d{{8}})"
)
_DOB_WORDS = (
    r"(?:b[oi]rn|birth\w*|brith\w*|bith\w*|b'?day|b-day|dob|d\.\s?o\.\s?b\.?|date\s+of\s+b\w+|day\s+of\s+birth|"
    r"geboren|geb\.|geburtsdatum|geburtstag|né|née|date\s+de\s+naissance|naissance|anniversaire|"
    r"fecha\s+de\s+nacimiento|nacid[oa]|cumpleaños|data\s+di\s+nascita|nat[oa]\s+(?:il|el|a|nel)|nascita|"
    r"compleanno|data\s+de\s+nascimento|nascid[oa]|geboortedatum|verjaardag|f[øo]dselsdato|f[øo]dt|"
    r"f[öo]delsedatum|f[öo]dd|syntym[äa]aika|syntynyt|data\s+urodzenia|urodzon[aey]|ur\.)"
)
_DOB_KEYWORD = re.compile(rf"\b{_DOB_WORDS}(?!\w)", re.I)
# "birthday present", "bday party": the occasion, not the date someone was born.
_OCCASION = re.compile(
    r"\s*(?:present|gift|voucher|discount|offer|card|party|cake|sale|treat|surprise|order|delivery|week)",
    re.I,
)
_A_DATE = re.compile(rf"(?<![\w/.-]){_DATE}(?![\w/-])", re.I)
# A day and month with no year, close after the keyword: "my birthday is 4 March", "dob: march 4th".
_DAY_MONTH = re.compile(
    rf"\W{{0,3}}(?:(?:is|was|on|=)\s+)?(?:the\s+)?(?<![\w/.-])(?P<d>{_DAY}\s*(?:of\s+|de\s+)?{_MONTHS}|{_MONTHS}\s+{_DAY})"
    r"(?![\w/-])",
    re.I,
)
# Just before the keyword: "14.07.1979 is my date of birth", "18/05/1993\n^ my dob".
_DOB_BEFORE = re.compile(
    rf"(?<![\w/.-])(?P<d>{_DATE})(?![\w/-])\s*(?:\)|,|-|–|—|\^+|<-+|←|=)?\s*"
    r"(?:(?:that|this|it)(?:'s|’s|s|\s+is|\s+was)\s+|is\s+|as\s+)?\(?\s*(?:my|the|his|her|their|our|ur)?\s*"
    r"(?:date\s+of\s+birth|birth\s*date|birthday|b'?day|dob|d\.\s?o\.\s?b)\b",
    re.I,
)
# "b. 12 Jan 1954", "(b. 03/04/1961)": the short form only right before a date.
_BORN_SHORT = re.compile(rf"(?<![\w.])b\.\s*(?P<d>{_DATE})(?![\w/-])", re.I)
# A year alone: "born 1988", "year of birth: 1975", "I was born in '88".
_BORN_YEAR = re.compile(
    r"(?:\bborn\s*[:=-]?\s*|\(\s*b\.\s*|\b(?:year\s+of\s+birth|birth\s*year|yob|dob)\s*(?:is\s+)?[:=-]?\s*|"
    r"\b(?:i|he|she|we|they|you|who|son|daughter|wife|husband|mum|mom|mother|dad|father|child|kid|partner|"
    r"baby|grandson|granddaughter|brother|sister)(?:'m|\s+(?:was|were|am|is))\s+born\s+in\s+)"
    r"(?P<d>(?:19|20)\d{2}|'\d{2})(?![\w/.-]|[.,]\d)",
    re.I,
)
DOB_WINDOW = 90  # characters after "born", "DOB"...: "my DOB is 1/2/1980 and my wife's is 3/4/1982"
RECENT_YEARS = 3  # "birthday" with a date this recent is an occasion: "my birthday on 12/05/2024"


def find_dates_of_birth(text: str) -> list[PiiSpan]:
    """Dates after a birth keyword (on the same line, within `DOB_WINDOW` characters, or on the
    next line when the keyword ends its line) or just before one."""
    if not _DOB_KEYWORD.search(text) and "b." not in text.lower():
        return []
    spans = [PiiSpan(DATE_OF_BIRTH, *m.span("d")) for m in _DOB_BEFORE.finditer(text) if _past(m["d"])]
    spans += [PiiSpan(DATE_OF_BIRTH, *m.span("d")) for m in _BORN_SHORT.finditer(text) if _past(m["d"])]
    spans += [PiiSpan(DATE_OF_BIRTH, *m.span("d")) for m in _BORN_YEAR.finditer(text) if _past(m["d"])]
    for keyword in _DOB_KEYWORD.finditer(text):
        occasion = keyword.group().lower().startswith(("birthday", "bday", "b'day", "b-day")) and bool(
            _OCCASION.match(text, keyword.end())
        )
        if occasion:
            continue
        recent = keyword.group().lower() in ("birthday", "bday", "b'day", "b-day")
        for date in _A_DATE.finditer(text, keyword.end(), _window_end(text, keyword.end())):
            if _past(date.group(), recent_too=not recent):
                spans.append(PiiSpan(DATE_OF_BIRTH, date.start(), date.end()))
        if day_month := _DAY_MONTH.match(text, keyword.end()):
            spans.append(PiiSpan(DATE_OF_BIRTH, *day_month.span("d")))
    return spans


def _window_end(text: str, start: int) -> int:
    line_end = text.find("\n", start)
    if line_end >= 0 and not text[start:line_end].strip(" \t:=-–—|"):  # "Date of birth:\n12/03/1985"
        line_end = text.find("\n", line_end + 1)
    return min(start + DOB_WINDOW, len(text) if line_end < 0 else line_end)


def _past(date: str, *, recent_too: bool = True) -> bool:
    years = re.findall(r"(?<!\d)(?:19|20)\d{2}(?!\d)", date)
    if not years:
        return True
    this_year = datetime.date.today().year
    return int(years[-1]) < (this_year if recent_too else this_year - RECENT_YEARS + 1)
