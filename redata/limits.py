"""The limits that keep a hostile package from exhausting the machine: every size redata refuses past.

README's section on limits states these; each is checked before the thing it bounds is read.
"""

MEBIBYTE = 1024 * 1024

# A descriptor or Table Schema larger than this is refused before it is parsed (the descriptor of a built
# package of 10M figures and 100,000 sources is about 40 MB).
MAX_JSON_BYTES = 64 * MEBIBYTE
# JSON nested deeper than this is refused (real descriptors nest 6 levels).
MAX_JSON_DEPTH = 64
# A CSV header line longer than this, or of more columns than this, is refused.
MAX_HEADER_BYTES = MEBIBYTE
MAX_COLUMNS = 1000
# A CSV row larger than this cannot be read (any field so long breaks its maxLength).
MAX_ROW_BYTES = 256 * MEBIBYTE
# An archived source text larger than this is refused before it is read (the seed articles are 7 and 10 KB).
MAX_TEXT_BYTES = 64 * MEBIBYTE
# How many failing rows of one rule a report lists one by one; the rest are counted in one more problem.
MAX_ROWS_PER_RULE = 50
# `redata propose` reads a text of at most this many characters (an article is 5,000 to 50,000; segmenting
# sentences takes about 7 s a million characters).
MAX_PROPOSED_TEXT_CHARS = 1_000_000
