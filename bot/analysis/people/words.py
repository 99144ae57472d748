"""Word lists for finding people in news copy: titles, honorifics, organisation words.

Written knowledge of how newswire names people ("Deputy U.S. Trade Representative X",
"X, a vice-minister for finance,", "X of Y Ltd"); no model, nothing learnt from a corpus.
All entries are lower case.
"""

from __future__ import annotations

import re

HONORIFICS = frozenset(
    "mr mr. mrs mrs. ms ms. miss dr dr. sir madam mme mme. herr lord dame messrs messrs. mister "
    "prof prof. professor".split()
)

# Words that end a title: the job itself ("Trade Minister", "central bank governor").
TITLE_HEADS = frozenset(
    """president vice-president president-elect minister vice-minister secretary
    secretary-general undersecretary under-secretary representative rep rep. sen sen.
    senator congressman congresswoman gov gov. governor treasurer chairman chairwoman
    chairperson vice-chairman vice-chairwoman commissioner ambassador premier vice-premier
    chancellor director director-general spokesman spokeswoman spokesperson economist
    analyst strategist official chief head leader king queen prince princess pope mayor
    speaker judge justice adviser advisor counsellor counselor envoy negotiator delegate
    manager executive officer administrator lawmaker legislator member mp democrat republican
    dealer trader consultant attorney lawyer sheikh emir sultan shah ayatollah comptroller
    auditor controller commander gen gen. colonel admiral marshal bishop cardinal publisher
    editor correspondent columnist founder owner partner professor lecturer researcher
    fellow expert specialist deputy vice-governor premier-elect coach striker captain
    player goalkeeper midfielder defender winger referee athlete singer actor actress
    author writer novelist artist chef doctor nurse teacher student farmer pilot
    scientist""".split()
)

# Lower-case words that may stand inside a title before a name ("Korean trade minister").
TITLE_MODIFIERS = frozenset(
    """deputy vice assistant acting former senior chief foreign trade finance financial
    economic economics external affairs prime central bank agriculture agricultural commerce
    industry international state federal national permanent executive managing
    associate junior first principal special top house senate party opposition treasury
    energy defence defense interior home economy planning development monetary fiscal budget
    customs research chamber commission council committee department ministry government
    labour labor liberal conservative democratic republican socialist communist regional
    provincial general parliamentary presidential white cabinet portfolio without""".split()
)

# A word that makes a capitalised phrase an organisation, a place or a thing, not a name.
ORG_WORDS = frozenset(
    """ministry bank banks banking council committee committees department association corp
    corp. corporation inc inc. ltd ltd. co co. company cos group commission agency office
    board exchange fund institute institution university univerity college school party
    congress parliament senate house commons court union community organisation
    organization federation trust reserve securities industries industry industrial airlines
    airways motors electric international trade trading tariffs tariff treasury customs
    bureau administration daily news times journal post herald tribune gazette press
    reuters reuter network index market markets government cabinet assembly authority
    service services system holdings partners capital investment investments finance
    financial economic economics development program programme project plan accord
    agreement pact act law round talks conference summit forum club society foundation
    centre center chamber league alliance front movement army navy force forces police
    state states republic kingdom city province county region island islands river
    sea ocean street avenue square palace airport port station railway railroad
    exchequer oil petroleum gas energy steel chemical chemicals mining mines foods products brothers
    bros associates consortium unit division banco banque banca bankasi gruppo groupe grupo
    telecommunications communications systems electronics technologies pharmaceuticals
    countries nations workers producers exporters importers manufacturers growers farmers
    employers kaisha kogyo denki denwa shoji sangyo ginko shimbun seiyaku zeitung
    compagnie cie societe plc ag sa nv spa gmbh bhd pty kk limited enterprises
    commodities exports imports export import budget agriculture commerce affairs relations
    technology manufacturing machinery semiconductor semiconductors shipping textile
    textiles motor auto automobile standard general national federal central world global
    dollar dollars dlr dlrs stg cts pct yen franc lira won peso rupee
    order orders proclamation proclamations memorandum directive decree notice annex
    section schedule chapter article title op""".split()
)
"""(The last line: legal instruments and their parts, "Executive Order 14257", "Proclamation
9704", "Section 232", "Slip Op. 23-105".)"""

# Capitalised words that are never (part of) a person's name in news copy.
NOT_NAMES = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december feb mar apr jun jul aug
    sep sept oct nov dec today yesterday tomorrow tonight christmas easter god
    the a an this that these those there it its he she they we i you his her their our my
    but and or nor so yet for in on at by of to from with as if when while since however
    meanwhile also although though because after before under over between among during
    until unless whether then thus still last next earlier later other such both many
    most some one two three four five six seven eight nine ten first second third
    officials analysts economists sources traders dealers diplomats delegates ministers
    according asked including despite even only just not no yes all any each every
    democrat democrats republican republicans liberal liberals conservative conservatives
    socialist socialists communist communists labour labor tory tories gaullist
    western eastern northern southern european europeans asian african arab latin
    atlantic pacific north south east west central middle far near
    english french german spanish italian""".split()
)

# Short words that are common English at the head of a name but may close one ("Liu He").
INNER_NAME_WORDS = frozenset("he an so do may".split())
"""("He" opens a name only in mid-sentence: "spokesman He Yadong"; "May" only closes one.)"""

# Verbs that follow a speaker's name ("Tran Van Thinh told reporters").
SPEECH_VERBS = frozenset(
    """said says told tells added adds stated announced announces noted notes warned warns
    urged urges predicted argued insisted commented explained declined expressed asked
    replied agreed estimated forecast wrote writes believes believed suggested proposed
    called criticised criticized branded welcomed rejected denied confirmed indicated
    reiterated stressed emphasised emphasized acknowledged conceded disclosed revealed
    vowed pledged promised signed met visited arrived left""".split()
)

# Lower-case particles that may stand inside a name ("Willy de Clercq", "Abu al Rahman").
PARTICLES = frozenset("de van von der den da di do du del della la le al el bin ibn ben dos das y".split())

# Speakers' jobs that make a national official: the story's setting gives their country.
GOVERNMENT_WORDS = frozenset(
    """minister ministry treasurer secretary governor president premier chancellor
    government parliament senator congressman congresswoman council commission cabinet
    ambassador official spokesman spokeswoman member mp representative rep sen deputy
    undersecretary vice-minister vice-premier prime central commissioner delegate envoy
    negotiator diplomat consul""".split()
)

# Institutions and titles that belong to one country ("" for international bodies).
INSTITUTION_COUNTRY: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), country)
    for pattern, country in (
        (r"\bMITI\b|\bDiet\b|\bKeidanren\b", "Japan"),
        (r"\bTrade Representative\b|\bUSTR\b|\bFederal Reserve\b|\bFed\b|\bCongress\b"
         r"|\bWhite House\b|\bWays and Means\b|\bSenate Finance\b", "US"),
        (r"\bBundesbank\b|\bBundestag\b", "Germany"),
        (r"\bKremlin\b", "Soviet Union"),
        (r"\bElysee\b|\bQuai d'Orsay\b", "France"),
        (r"\bWhitehall\b|\bDowning Street\b|\bExchequer\b", "UK"),
        (r"\bKnesset\b", "Israel"),
        (r"(?<!Liberal )(?<!Christian )(?<!Social )(?<!Free )\b(?:Democrat|Republican)(?:ic)?\b", "US"),
        (r"\bEuropean Commission\b|\bEC Commission\b|\bEuropean Communities\b", "EC"),
        (r"\b(?:Treasury|Commerce|Agriculture|Defense|Labor) Secretary\b"
         r"|\bSecretary of (?:the )?(?:Treasury|Commerce|Agriculture|Defense|Labor|Homeland Security)\b", "US"),
        (r"\bState Council\b|\bNational People's Congress\b|\bMOFCOM\b", "China"),
        (r"\bWorld Bank\b|\bIMF\b|\bInternational Monetary Fund\b|\bGATT\b|\bOECD\b"
         r"|\bUnited Nations\b|\bU\.N\.|\bOPEC\b|\bComecon\b", ""),
    )
)

# Wire datelines that are not seats of government, for the setting of a story.
DATELINE_CITIES: dict[str, str] = {
    "sydney": "Australia", "melbourne": "Australia", "perth": "Australia",
    "new york": "US", "chicago": "US", "los angeles": "US", "san francisco": "US",
    "houston": "US", "detroit": "US", "boston": "US", "dallas": "US", "kansas city": "US",
    "toronto": "Canada", "montreal": "Canada", "vancouver": "Canada", "winnipeg": "Canada",
    "calgary": "Canada", "frankfurt": "Germany", "hamburg": "Germany", "munich": "Germany",
    "duesseldorf": "Germany", "dusseldorf": "Germany", "west berlin": "Germany",
    "osaka": "Japan", "shanghai": "China", "bombay": "India", "calcutta": "India",
    "karachi": "Pakistan", "sao paulo": "Brazil", "rio de janeiro": "Brazil", "milan": "Italy",
    "rotterdam": "Netherlands", "amsterdam": "Netherlands", "johannesburg": "South Africa",
    "auckland": "New Zealand", "zurich": "Switzerland", "geneva": "", "brussels": "",
}  # fmt: skip

# Places that are not countries (those are all in `countries`), never part of a person's name.
OTHER_PLACES = frozenset(
    """saskatchewan alberta ontario quebec manitoba""".split()
)
