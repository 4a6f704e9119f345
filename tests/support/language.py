"""Does a Dutch page speak Dutch? English words Dutch never uses, found in a page's visible text."""
import re

from bs4 import BeautifulSoup

# Words of English that Dutch never uses; one of them on a Dutch page is an untranslated sentence.
ENGLISH = {"the", "your", "you", "and", "with", "this", "that", "which", "please", "there", "from", "have",
           "been", "will", "would", "should", "cannot", "these", "those", "what", "when", "where", "who",
           "here", "yet", "only", "about", "reports", "cases", "acknowledged", "overdue"}


def english_words(html: str) -> list[str]:
    """The English words in the page's text, leaving out scripts, anything marked as another language
    (a "Read in English" link) and what people wrote themselves."""
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup.select("script, style, [lang]:not([lang^=nl]), .user-content"):
        hidden.decompose()
    text = " ".join(soup.get_text(" ").split())
    return sorted({word for word in re.findall(r"[A-Za-z]+", text) if word.lower() in ENGLISH})
