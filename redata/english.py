"""The closed-class English words the number reader's grammar is written in: months, the suffixes of
ordinals, the words that join a range or begin a bound, the function words no counted noun holds. Open-class
words (units, qualifiers, number words, words of change) are vocabularies of the package (`redata.lexicon`).
"""

from __future__ import annotations

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
MONTH_ABBREVIATIONS = {"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
# "May" is also a verb: followed by a lower-case word, it is a month only after one of these.
MONTH_CONTEXT = {"in", "since", "by", "until", "till", "from", "of", "early", "mid", "late", "last", "next", "this"}
DATE_MODIFIERS = {"early", "mid", "late"}
ORDINAL_SUFFIXES = {"st", "nd", "rd", "th"}
# Before a four-digit numeral, these make it a year even when a plural noun follows (`the 2024 elections`).
YEAR_CONTEXT = {
    "in", "since", "by", "until", "till", "from", "of", "to", "through", "during", "before", "after", "the",
    "this", "that", "its", "their", "his", "her", "our", "fiscal", "between", "and", "end", "for", "year",
    "early", "mid", "late", "pre", "post", "circa",
}  # fmt: skip
RANGE_JOINERS = {"-", "–", "—", "to"}
PER_WORDS = {"per", "a", "an", "/"}
MINUS_SIGNS = {"-", "−"}
RELATIVE_WORDS = {"ago", "earlier", "later"}
# Closed-class words that never begin or continue a counted noun (`5 of them`, `10.2 million, followed by`).
FUNCTION_WORDS = {
    "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "from", "with", "without", "per", "than", "as",
    "and", "or", "but", "nor", "so", "is", "are", "was", "were", "be", "been", "being", "has", "have", "had",
    "do", "does", "did", "will", "would", "shall", "should", "can", "could", "may", "might", "must", "this",
    "that", "these", "those", "which", "who", "whom", "whose", "what", "where", "when", "while", "it", "its",
    "they", "them", "their", "he", "she", "his", "her", "we", "our", "you", "your", "i", "not", "no", "into",
    "onto", "over", "under", "about", "after", "before", "since", "until", "during", "through", "between",
    "among", "against", "within", "across", "each", "every", "all", "both", "more", "most", "less", "least",
    "some", "any", "such", "only", "also", "just", "up", "down", "out", "off", "ago", "later", "earlier",
    "times", "if", "then", "there", "here", "how", "why", "according", "including", "compared", "respectively",
    "last", "next", "year", "years", "alone", "apiece", "annually", "yearly", "daily", "monthly",
}  # fmt: skip
IRREGULAR_PLURALS = {"people", "children", "men", "women", "police", "staff", "cattle", "personnel", "feet", "mice"}
MAX_COUNTED_WORDS = 4
# Words that may begin a reading besides the vocabularies' first words (see `Lexicon.first_words`).
STARTERS = frozenset({"a", "an", "one", "the", "between", "from", "minus", "-", "−", *MONTHS, *DATE_MODIFIERS})
# The verb forms a clause's tense is read by (`redata.tense`): the finite forms of the auxiliaries, and the
# simple past and past participle forms of the irregular verbs that do not end in -ed (a closed class).
PRESENT_BE = {"is", "are", "am", "get", "gets"}
PAST_AUXILIARIES = {"was", "were", "had", "did"}
PERFECT_AUXILIARIES = {"has", "have"}
FUTURE_AUXILIARIES = {"will", "would", "shall"}
DETERMINERS = {"a", "an", "the", "its", "their", "his", "her", "our", "this", "that", "these", "those", "whose"}
IRREGULAR_PAST = {
    "arose", "arisen", "awoke", "been", "became", "began", "begun", "bent", "bit", "bitten", "bled",
    "blew", "blown", "bore", "borne", "bought", "bred", "broke", "broken", "brought", "built", "burnt",
    "burst", "came", "caught", "chose", "chosen", "clung", "crept", "cut", "dealt", "dove", "drew",
    "drawn", "dug", "done", "drank", "drunk", "drove", "driven", "ate", "eaten", "fell", "fallen", "fed", "felt",
    "fought", "found", "fled", "flung", "flew", "flown", "forbade", "forbidden", "forgot", "forgotten", "forgave",
    "forgiven", "froze", "frozen", "got", "gotten", "gave", "given", "went", "gone", "grew", "grown",
    "hung", "heard", "hid", "hidden", "hit", "held", "hurt", "kept", "knew", "known", "laid", "led", "leapt",
    "left", "lent", "let", "lit", "lost", "made", "meant", "met", "paid", "proved", "proven",
    "put", "quit", "ran", "said", "told",
    "rang", "rung", "rode", "ridden", "rose", "risen", "sought", "sold", "sent", "set",
    "shook", "shaken", "shone", "shot", "shown", "shrank", "shrunk", "shut", "sang", "sung", "sank",
    "sunk", "sat", "slept", "slid", "slit", "spoke", "spoken", "sped", "spent", "spun", "split", "spread",
    "sprang", "sprung", "stood", "stole", "stolen", "stuck", "stung", "struck", "strove", "swore", "sworn",
    "swept", "swam", "swum", "swung", "took", "taken", "taught", "tore", "torn", "thought", "threw", "thrown",
    "underwent", "undergone", "understood", "undertook", "undertaken", "upheld", "woke", "woken", "wore", "worn",
    "wove", "woven", "wept", "won", "withdrew", "withdrawn", "withheld", "wrote", "written",
}  # fmt: skip
# Words of more than four letters that end in -ed and are no past form.
NOT_PAST_ED = {
    "speed", "proceed", "succeed", "exceed", "indeed", "greed", "bleed", "steed", "breed", "creed", "embed",
    "hundred", "kindred", "sacred", "naked", "wicked", "rugged", "ragged", "wretched", "shred", "misdeed",
}  # fmt: skip
# Words that name a year by its distance from the publication's (`last year`: the year before).
RELATIVE_YEARS = {"last year": -1, "this year": 0, "next year": 1}
