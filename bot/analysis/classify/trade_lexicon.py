"""What trade-policy news says, written down: the cues the rule classifier looks for.

Each cue is a regular expression (matched case-insensitively, words may be split across
lines) with a hand-set evidence weight and, where it speaks for one, a tag of the taxonomy
(`bot.analysis.classify.taxonomy`). Positive weights speak for a trade story; negative ones for the
neighbouring kinds of news that borrow trade words: commodity market reports ("traders
said", tonnes, tenders), company results and deals, and bond markets.

Order matters where cues overlap: at one position the earlier cue in the list wins, so the
specific phrases come before the single words they contain.

Below the cues, the words `bot.analysis.classify.policy_actions` reads a government's action on a
measure with: who governs, what is done to the measure, and how much it is.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Cue:
    name: str
    pattern: str
    weight: float
    tag: str | None = None


_S = r"[\s-]+"  # between the words of a phrase: spaces, a line break or a hyphen

_TRADE_NEGOTIATION = (
    r"talks|negotiations?|negotiators?|agreements?|accords?|pacts?|deals?|treat(?:y|ies)"
    r"|missions?|delegations?|round|liberali[sz]ation|cooperation|co-operation|relations"
    r"|ties|links|partners?|partnership|commission|protocols?|concessions?|package"
)
_TRADE_DISPUTE = (
    r"disputes?|wars?|rows?|frictions?|conflicts?|tensions?|retaliation|sanctions|reprisals?"
    r"|complaints?|grievances?|confrontation|battles?|fights?|threats?|hostilities|strains?"
    r"|problems?|difficulties|irritants?|quarrels?|spat"
)
_TRADE_POLICY = (
    r"bills?|legislation|laws?|acts?|polic(?:y|ies)|rules|measures|restrictions|curbs"
    r"|controls|reforms?|protection|remed(?:y|ies)|strategy|barriers?|practices|issues?"
    r"|matters|imbalances?|preferences|privileges|status|agenda|stance|pressures?"
    r"|concerns?|interests|system"
)
_TRADE_OFFICE = (
    r"ministers?|ministry|representatives?|secretary|officials?|envoys?|chiefs?|department"
    r"|council|commissioner|body|experts?|committee|subcommittee|panel|spokes(?:man|woman)"
    r"|advisers?|advisors?|director|undersecretary|under\s+secretary|specialists?|team"
)
_TRADE_DATA = (
    r"deficits?|surplus(?:es)?|gap|balances?|figures|data|statistics|shortfall|account"
    r"|performance|volumes?|flows?|results|returns|position|imbalance"
)

# markets that are not for goods: "access to capital markets" is finance, not market access
_FINANCE = (
    r"(?:capital|credit|financial|finance|debt|bond|equity|stock|housing|labou?r|job|funding"
    r"|money|insurance|mortgage|energy|electricity|power)(?!\w)"
)

CUES: tuple[Cue, ...] = (
    # --- institutions and named regimes
    Cue("gatt", r"General" + _S + r"Agreement" + _S + r"on" + _S + r"Tariffs" + _S
        + r"and" + _S + r"Trade|GATT|Uruguay" + _S + r"Round|World" + _S + r"Trade" + _S
        + r"Organi[sz]ation|WTO", 3.5, "negotiations"),
    Cue("trade_commission", r"International" + _S + r"Trade" + _S + r"(?:Commission|Court)"
        r"|(?<!\w)ITC(?!\w)", 3.0, "disputes"),
    Cue("ministry_trade", r"Ministry" + _S + r"of" + _S + r"International" + _S + r"Trade"
        + _S + r"and" + _S + r"Industry|(?<!\w)MITI(?!\w)|Trade" + _S + r"and" + _S
        + r"Industry" + _S + r"(?:Ministry|Minister|Secretary|Department)", 1.5),
    Cue("section_301", r"Section" + _S + r"301|super" + _S + r"301|unfair" + _S
        + r"trad(?:e|ing)(?:" + _S + r"practices?)?", 3.0, "disputes"),
    # the US laws modern measures are taken under, and the customs schedule they amend
    Cue("tariff_law", r"Section" + _S + r"(?:232|201|122|337|338)|Trade" + _S + r"Expansion" + _S
        + r"Act|Tariff" + _S + r"Act|Trade" + _S + r"Act" + _S + r"of" + _S + r"1974"
        r"|International" + _S + r"Emergency" + _S + r"Economic" + _S + r"Powers" + _S
        + r"Act|(?<!\w)IEEPA(?!\w)|Harmoni[sz]ed" + _S + r"Tariff" + _S + r"Schedule"
        r"|(?<!\w)HTSUS(?!\w)|de" + _S + r"minimis|rules?" + _S + r"of" + _S + r"origin"
        r"|transshipment|trans-shipment", 3.0, "tariffs"),
    Cue("dispute_panel", r"dispute" + _S + r"(?:settlement|panel)s?", 3.0, "disputes"),
    Cue("free_trade", r"free" + _S + r"trade|fair" + _S + r"trade|customs" + _S
        + r"union|common" + _S + r"market|(?<!\w)(?:USMCA|NAFTA|CAFTA(?:-DR)?|CUSMA|T-MEC|CPTPP|TPP"
        r"|RCEP)(?!\w)", 3.0, "negotiations"),
    Cue("mfn", r"most" + _S + r"favou?red" + _S + r"nation|(?<!\w)MFN(?!\w)|generali[sz]ed"
        + _S + r"system" + _S + r"of" + _S + r"preferences|(?<!\w)GSP(?!\w)", 3.0, "tariffs"),
    Cue("restraint_deal", r"voluntary" + _S + r"(?:export" + _S + r")?restraints?|orderly"
        + _S + r"marketing|(?<!\w)VRAs?(?!\w)", 3.0, "market-access"),
    Cue("chip_pact", r"(?:semiconductor|micro" + r"-?chip|chip)s?" + _S
        + r"(?:pact|accord|agreement|dispute|row|trade|war|dumping)", 3.0, "disputes"),
    Cue("cap", r"Common" + _S + r"Agricultural" + _S + r"Policy", 2.5, "agriculture"),
    # subsidised export sales of one commodity are commodity-desk news
    Cue("eep", r"export" + _S + r"enhancement(?:" + _S + r"program(?:me)?)?|(?<!\w)EEP(?!\w)"
        r"|export" + _S + r"bonus(?:es)?|bonus" + _S + r"(?:bids?|offers?)|(?<!\w)CCC(?!\w)"
        r"|credit" + _S + r"guarantees?", -0.5),
    # --- "trade" compounds
    Cue("trade_data", r"(?:balance" + _S + r"of" + _S + r"trade|visible" + _S + r"trade"
        r"|trade" + _S + r"(?:" + _TRADE_DATA + r")|trade" + _S + r"(?:swings?|swung|moves?"
        r"|moved|turns?|turned|slips?|slipped|falls?|fell|goes|went)" + _S + r"(?:back" + _S
        + r")?into" + _S + r"(?:deficit|surplus|the" + _S + r"red|the" + _S + r"black)"
        r"|trade" + _S + r"(?:fully" + _S + r")?in" + _S + r"balance)(?!\w)", 4.0,
        "trade-data"),
    Cue("trade_moves", r"trade" + _S + r"(?:rose|rises|fell|falls|jumped|grew|increased"
        r"|decreased|declined|dropped|slumped|expanded|contracted|doubled|improved"
        r"|worsened|surged|plunged)", 2.5, "trade-data"),
    Cue("trade_negotiation", r"trade" + _S + r"(?:" + _TRADE_NEGOTIATION + r")(?!\w)", 3.5,
        "negotiations"),
    Cue("trade_dispute", r"trade" + _S + r"(?:" + _TRADE_DISPUTE + r")(?!\w)", 3.5,
        "disputes"),
    Cue("trade_policy", r"trade" + _S + r"(?:" + _TRADE_POLICY + r")(?!\w)", 3.5),
    Cue("trade_office", r"trade" + _S + r"(?:" + _TRADE_OFFICE + r")(?!\w)", 2.5),
    Cue("trade_between", r"(?:foreign|international|world|bilateral|two-way|global|overseas"
        r"|external|east-west|mutual|reciprocal)" + _S + r"trade(?!\w)|trade" + _S
        + r"(?:between|with)(?!\w)|trading" + _S + r"(?:partners?|nations?|blocs?)", 2.0),
    Cue("terms_of_trade", r"terms" + _S + r"of" + _S + r"trade", 1.0, "trade-data"),
    # commodity houses speaking as "the trade" are market reports, not trade policy
    Cue("market_trade", r"(?:the|paris|london|dutch|rio|hamburg|grain|sugar|coffee|cocoa"
        r"|rubber|tea|cotton|wool|oil|metal|meat)" + _S + r"trade" + _S + r"(?:sources|houses?"
        r"|circles|estimates?|reports?|said|says|expects?|sees?|believes?|thinks?|members"
        r"|buying|selling|demand|interest)|trade" + _S + r"(?:sources|houses|circles"
        r"|estimates)|-+\s*trade\s*$", -1.5),
    Cue("not_policy_trade", r"Federal" + _S + r"Trade" + _S + r"Commission|(?<!\w)FTC(?!\w)"
        r"|in" + _S + r"(?:early|late|midday|morning|afternoon|active|thin|light|quiet|heavy"
        r"|nervous|volatile|busy|moderate|slow|brisk|dull|steady|hectic)" + _S + r"trade(?!\w)"
        r"|trade" + _S + r"(?:was|is|remained)" + _S + r"(?:very" + _S + r")?(?:quiet|thin"
        r"|active|light|slow|brisk|dull|steady|moderate|busy)"
        r"|trade" + _S + r"(?:unions?|unionists?|marks?|names?|fairs?|shows?"
        r"|press|journals?|publications?|weighted)|trading" + _S + r"(?:compan(?:y|ies)|houses?"
        r"|firms?)", 0.0),
    Cue("trade_word", r"trade(?![\w-])", 2.0),
    # tariffs as the cause of another story's news: markets' fears, a company's costs,
    # prices pushed up ("stocks fell on tariff worries", "prices rose because of tariffs")
    Cue("tariff_effect", r"tariffs?" + _S + r"(?:fears?|worries|concerns?|jitters|uncertainty|woes"
        r"|angst|headwinds?|costs?|hits?|impacts?|effects?|pressures?|turmoil|risks?|exposure|shocks?"
        r"|drag|related|driven|induced|fu?el+ed)|(?:fears?|worries|concerns?|uncertainty|jitters"
        r"|anxiety|nervousness)" + _S + r"(?:over|about|of|around|surrounding|that)" + _S
        + r"(?:\w+" + _S + r"){0,3}?tariffs?|(?:due" + _S + r"to|because" + _S + r"of|owing" + _S
        + r"to|blamed" + _S + r"(?:\w+" + _S + r")?on|citing)" + _S + r"(?:\w+" + _S
        + r"){0,2}?tariffs?|tariffs?" + _S + r"(?:(?:could|would|will|may|might|are|were|have|had)"
        + _S + r")?(?:push|pushed|pushing|drive|drove|driving|weigh|weighed|weighing|hurt|hurting"
        r"|dent|dented|squeez\w+|eat|ate|eating|feed|fed|feeding)(?!\w)", 0.5),
    # a tax not levied on traded goods is no tariff: "a 1% surcharge on stock buybacks",
    # "a levy on bank profits", "an income tax surcharge"
    Cue("domestic_tax", r"(?:surcharges?|surtax(?:es)?|lev(?:y|ies)|(?:excise" + _S + r")?tax(?:es)?"
        r"|dut(?:y|ies))" + _S + r"on" + _S + r"(?:\w+" + _S + r"){0,2}?(?:buybacks?|repurchases?"
        r"|incomes?|profits?|earnings|wages|salaries|payrolls?|propert(?:y|ies)|wealth|estates?"
        r"|inheritances?|capital" + _S + r"gains|dividends|millionaires|billionaires|banks?"
        r"|corporations?|windfalls?|households|homes?)(?!\w)|(?:income|corporate|payroll|wealth"
        r"|property|windfall)" + _S + r"tax" + _S + r"(?:surcharges?|surtax(?:es)?)", 0.0),
    # the instruments a government acts by: with a measure in the lead, what they name are
    # the goods of the measure (see the classifier's LAW_CUES)
    Cue("legal_instrument", r"(?:signed|signs|issued|issues)" + _S + r"(?:an?" + _S + r"|three" + _S
        + r"|two" + _S + r")?(?:Proclamations?|Executive" + _S + r"Orders?)|Federal" + _S
        + r"Register", 0.0),
    # --- tariffs
    # trade-remedy proceedings as the notices name them: an order, a review, a margin
    Cue("trade_remedy", r"(?:anti[\s-]*dumping|countervailing)" + _S + r"(?:dut(?:y|ies)" + _S
        + r")?(?:orders?|investigations?|petitions?|proceedings?|determinations?|reviews?"
        r"|cases?|margins?|rates?)|less" + _S + r"than" + _S + r"(?:normal|fair)" + _S + r"value"
        r"|dumping" + _S + r"margins?|safeguard" + _S + r"(?:measures?|dut(?:y|ies)|tariffs?|actions?"
        r"|investigations?|quotas?)|(?:threat" + _S + r"of" + _S + r")?material" + _S + r"injury|sunset"
        + _S + r"reviews?", 4.0,
        "tariffs"),
    Cue("duties", r"(?:import|export|customs|anti" + _S + r"dumping|countervailing|punitive"
        r"|retaliatory|penalty|compensatory|excise|tariff)" + _S + r"dut(?:y|ies)"
        r"|antidumping" + _S + r"dut(?:y|ies)"
        r"|dut(?:y|ies)" + _S + r"(?:on|of|against)(?!\w)|dut(?:y|ies)" + _S + r"free", 3.0,
        "tariffs"),
    # dumping that is no price discrimination: waste in the sea, shares on the market
    Cue("other_dumping", r"(?:illegal|toxic|waste|ocean|sewage|fly-?tipping)" + _S + r"dumping"
        r"|dumping" + _S + r"(?:of" + _S + r")?(?:\w+" + _S + r")?(?:waste|sewage|garbage|trash|rubbish|chemicals|shares|stocks|bonds"
        r"|treasuries|assets)", 0.0),
    Cue("dumping", r"(?:anti[\s-]*)?dumping|countervailing", 3.0, "tariffs"),
    # a price list, not a duty at the border: "electricity tariffs", "feed-in tariff"
    Cue("price_tariff", r"(?:electricity|power|water|feed-in|broadband|mobile|telecoms?|postal|rail"
        r"|train|bus|taxi|hotel|insurance|utility|retail|domestic)" + _S + r"tariffs?", 0.0),
    Cue("tariff", r"tariffs?", 3.0, "tariffs"),
    Cue("border_levy", r"carbon" + _S + r"border" + _S + r"(?:adjustment" + _S + r")?(?:lev(?:y|ies)"
        r"|tax(?:es)?|tariffs?|charges?|mechanism)|(?<!\w)CBAM(?!\w)", 3.0, "tariffs"),
    Cue("levy", r"(?:import|export|variable|special|oil|oils|fats|retaliatory|punitive)" + _S
        + r"lev(?:y|ies)|lev(?:y|ies)" + _S + r"(?:on|of|against)(?!\w)|(?:(?<=%\s)|(?<=pct\s)"
        r"|(?<=cent\s))lev(?:y|ies)", 2.0, "tariffs"),
    Cue("surcharge", r"(?:import" + _S + r")?(?:surcharges?|surtax(?:es)?)", 1.5, "tariffs"),
    Cue("border_tax", r"(?:export|import)" + _S + r"tax(?:es)?", 1.5, "tariffs"),
    # --- market access
    Cue("import_curbs", r"import" + _S + r"(?:curbs|restrictions|controls|barriers|quotas?"
        r"|bans?|licen[cs]es?|licensing|restraints?|liberali[sz]ation|polic(?:y|ies)|regime"
        r"|substitution|penetration|deposits?|limits?|ceilings?|permits?|rules|procedures"
        r"|regulations|requirements|protection|relief|surges?|competition)(?!\w)", 3.0,
        "market-access"),
    Cue("market_access", r"market" + _S + r"access|access" + _S + r"to" + _S
        + r"(?:the" + _S + r"|its" + _S + r"|their" + _S + r")?(?:(?!" + _FINANCE + r")\w+" + _S
        + r")?markets?|open(?:ing|ed|s)?" + _S + r"(?:up" + _S + r")?(?:its|their|the|her|his)"
        + _S + r"(?:(?!" + _FINANCE + r")\w+" + _S + r")?markets?|closed" + _S + r"markets?|closed" + _S + r"to" + _S
        + r"(?:foreign|imports?|overseas|outside|american|u\.s\.)|market" + _S
        + r"opening|open" + _S + r"markets", 3.0, "market-access"),
    Cue("protectionism", r"protectionis(?:m|t|ts)", 3.5),
    Cue("trade_barriers", r"(?:non-?tariff|trade)" + _S + r"barriers?|barriers" + _S
        + r"to" + _S + r"(?:trade|imports)", 3.0, "market-access"),
    # --- export controls
    Cue("export_controls", r"export" + _S + r"(?:controls?|bans?|curbs|restrictions"
        r"|licen[cs]es?|licensing|embargo|permits?|blacklists?)(?!\w)|(?:licen[cs]es?|licensing"
        r"|permits?)" + _S + r"for" + _S + r"(?:\w+" + _S + r"){0,3}exports?|(?<!\w)COCOM(?!\w)|Export" + _S + r"Administration" + _S
        + r"Regulations|Bureau" + _S + r"of" + _S + r"Industry" + _S + r"and" + _S + r"Security|(?:forced|illicit|illegal)"
        + _S + r"technology" + _S + r"transfers?|entity" + _S + r"list|restrict(?:s|ed|ing)?" + _S + r"(?:the" + _S
        + r")?exports?" + _S + r"of|restrictions" + _S + r"on" + _S + r"(?:the" + _S
        + r")?exports?", 3.0, "export-controls"),
    # export quotas are mostly a commodity pact's business; they count when a government
    # acts on one (see MEASURE_CUES)
    Cue("export_quota", r"export" + _S + r"quotas?", 0.0, "export-controls"),
    Cue("ban_trade", r"ban(?:s|ned)?" + _S + r"(?:on" + _S + r")?(?:the" + _S + r")?"
        r"(?:\w+" + _S + r"){0,2}(?:imports|exports)", 3.0, "export-controls"),
    Cue("embargo", r"embargo(?:es|ed)?", 2.0, "export-controls"),
    Cue("boycott", r"boycott(?:s|ed|ing)?", 1.0, "export-controls"),
    Cue("sanctions", r"(?:economic" + _S + r")?sanctions", 2.5, "export-controls"),
    # --- disputes
    Cue("retaliation", r"retaliat(?:e|es|ed|ing|ion|ory)|reprisals?|counter" + _S
        + r"measures", 3.0, "disputes"),
    Cue("dispute", r"disputes?", 1.0, "disputes"),
    # --- subsidies, farm trade, promotion
    Cue("farm_trade", r"(?:farm|agricultur(?:e|al))" + _S + r"(?:trade|subsid\w+|exports?"
        r"|imports?|polic(?:y|ies)|reforms?|support|protection|talks|negotiations|issues?"
        r"|disputes?|markets?|products|goods|surplus(?:es)?)", 2.5, "agriculture"),
    Cue("export_subsidy", r"export" + _S + r"(?:subsid\w+|restitutions?|refunds?)", 2.0,
        "agriculture"),
    Cue("export_credit", r"export" + _S + r"(?:credits?|financing|guarantees?)|tied" + _S
        + r"aid|mixed" + _S + r"credits?", 1.5),
    Cue("subsidy", r"subsid(?:y|ies|i[sz]ed|i[sz]es|i[sz]ing|i[sz]ation)", 1.5),
    Cue("flow_figures", r"(?:import|export)s?" + _S + r"(?:prices|volumes?|figures|statistics"
        r"|data|values?|bill|growth|earnings|receipts|revenues?|orders|performance)", 1.5,
        "trade-data"),
    Cue("export_drive", r"export" + _S + r"(?:promotion|drive|incentives?|targets?|markets?"
        r"|cartel|industr(?:y|ies)|sector|competitiveness|-?led)", 1.5, "trade-data"),
    Cue("countertrade", r"counter" + r"-?trade|barter", 2.5, "negotiations"),
    # --- trade flows
    Cue("balance_cut", r"(?:cut|cuts|cutting|reduc(?:e|es|ed|ing|tion" + _S + r"(?:in|of))"
        r"|narrow(?:s|ed|ing)?|trim(?:s|med|ming)?|shrink(?:s|ing)?|correct(?:s|ed|ing)?"
        r"|redress(?:es|ed|ing)?|lower(?:s|ed|ing)?)" + _S + r"(?:its|their|the|our|this)" + _S
        + r"(?:\w+" + _S + r")?(?:trade" + _S + r")?(?:surplus(?:es)?|deficits?|imbalances?"
        r"|gap)", 2.5, "trade-data"),
    Cue("imports_of", r"imports?" + _S + r"of" + _S + r"(?:foreign|american|u\.s\.|japanese"
        r"|european|manufactured|consumer)|(?:buy|buys|buying|bought|purchas(?:e|es|ed|ing))"
        + _S + r"(?:more" + _S + r")?(?:foreign|american|u\.s\.|imported|overseas)" + _S
        + r"(?:goods|products|manufactures)", 1.5, "market-access"),
    Cue("pressure_to_open", r"pressure" + _S + r"(?:on" + _S + r"\w+" + _S + r")?(?:to|for)"
        + _S + r"(?:open|liberali[sz]\w*|cut|reduce|boost|increase|import|buy|curb|restrict"
        r"|stimulate|expand)", 1.5),
    Cue("surplus_with", r"(?:deficits?|surplus(?:es)?)" + _S + r"with", 2.5, "trade-data"),
    Cue("payments", r"current" + _S + r"account|balance" + _S + r"of" + _S + r"payments"
        r"|payments" + _S + r"(?:deficit|surplus|gap|balance)", 1.0, "trade-data"),
    Cue("foreign_goods", r"(?:foreign|imported|american|u\.s\.|japanese|chinese|european"
        r"|overseas|domestic)" + _S + r"(?:goods|products|manufactures|cars|manufacturers"
        r"|markets?)", 1.0),
    Cue("exports", r"exports?|imports?|exported|imported|exporting|importing", 0.8,
        "trade-data"),
    Cue("exporters", r"exporters?|importers?|exporting" + _S + r"countries", 0.6),
    Cue("about_trade", r"(?:on|over|about|of)" + _S + r"(?:world" + _S + r"|international"
        + _S + r"|bilateral" + _S + r"|foreign" + _S + r")?trade(?=\s*[,.;:)]|\s+(?:and|or"
        r"|with|between|in|issues?|is|was|has|had|would|will|could|may|might|must|should)\b)",
        2.0),
    Cue("bilateral", r"bilateral|two" + _S + r"countries", 0.8),
    Cue("friction", r"frictions?", 1.5, "disputes"),
    Cue("textiles", r"textiles?|apparel|garments|footwear|clothing", 1.0),
    Cue("competitiveness", r"competitiveness|uncompetitive", 0.5),
    Cue("goods", r"goods|merchandise", 1.0),
    # a domestic investment programme, not a chip trade row
    Cue("chips_act", r"CHIPS" + _S + r"(?:and" + _S + r"Science" + _S + r")?Act|CHIPS"
        + _S + r"(?:funding|incentives?|programs?|investments?)", 0.0),
    Cue("chips", r"semiconductors?|micro" + r"-?chips?|chips", 0.5),
    # research brought to market at home, unless forced or illicit (export_controls)
    Cue("technology_transfer", r"technology" + _S + r"transfers?", 1.0),
    Cue("impose", r"impos(?:e|es|ed|ing|ition)", 1.0),
    Cue("unfair", r"unfair(?:ly)?", 1.5, "disputes"),
    Cue("budget_deficit", r"budget" + _S + r"(?:deficits?|surplus(?:es)?)", 0.0),
    Cue("balance_word", r"surplus(?:es)?|deficits?|imbalances?", 0.5, "trade-data"),
    Cue("quotas", r"quotas?", 1.0, "market-access"),
    Cue("barriers", r"barriers?|curbs|restrictions", 1.0, "market-access"),
    Cue("policy_actor", r"congress(?:ional)?|senate|senators?|lawmakers|legislators|white"
        + _S + r"house|administration|government|ministers?|negotiators?|president", 0.3),
    Cue("domestic_demand", r"domestic" + _S + r"demand", 1.0),
    # --- counter-evidence: commodity markets, company news, bond markets
    Cue("traders_said", r"(?:traders?|dealers?|brokers?)" + _S + r"(?:said|say|says"
        r"|reported|added|noted|expect)", -1.0),
    Cue("commodity_units", r"tonnes?|bushels?|bales|bags|tenders?|futures"
        r"|harvest|crops?|per" + _S + r"(?:tonne|lb|pound|bushel|ounce|barrel)|(?<!\w)fob"
        r"(?!\w)|bpd|barrels", -0.5),
    # goods on the move: a commodity desk's word, and customs' word too (see GOODS_CUES)
    Cue("shipments", r"shipments?|cargo(?:es)?", -0.5),
    Cue("company_news", r"net" + _S + r"(?:income|profit|loss)|(?<!\w)shr(?!\w)|revs"
        r"|dividend|per" + _S + r"share|shareholders?|merger|acqui(?:re|red|res|sition)"
        r"|takeover|tender" + _S + r"offer|stake|(?:profit|earnings|revenue|sales)" + _S
        + r"(?:forecasts?|outlook|guidance|warning)|(?:full-year|annual|quarterly)" + _S
        + r"(?:profits?|earnings|revenues?|results|outlook|guidance|forecasts?)|guidance|(?:first|second"
        r"|third|fourth)-quarter" + _S + r"(?:profits?|earnings|revenues?|sales|results)|(?:comparable"
        r"|same-store)" + _S + r"sales", -1.0),
    Cue("bond_market", r"bonds?|eurobonds?|coupon|underwrit\w+|lead" + _S + r"manager",
        -0.7),
    # a story about one commodity's market belongs to the commodity desk, even when it
    # turns on a levy or an export subsidy for that commodity
    Cue("commodity", r"wheat|corn|maize|grains?|soybeans?|soya?|oilseeds?|rapeseed|sunflower"
        r"|sorghum|barley|oats|rice|sugar|coffee|cocoa|tea|rubber|cotton|wool|tin|zinc|nickel"
        r"|gold|silver|crude|oil|oils|fats|petroleum|gasoline|gas"
        r"|lumber|timber|plywood|beef|pork|hogs?|cattle|meat|orange" + _S + r"juice|fcoj"
        r"|palm" + _S + r"oil|tapioca|feedgrains?|durum|flour|potatoes|uranium|mercury"
        r"|platinum|palladium|cobalt|chromium|manganese|tungsten|iron" + _S + r"ore|copra"
        r"|coconut|groundnuts?|poultry", -0.5),
    Cue("currency_market", r"dollar|dlr|yen|marks?|currenc(?:y|ies)|exchange" + _S
        + r"rates?|intervention|monetary", -0.2),
)  # fmt: skip

# --- a government acting on a trade measure ("The United States will raise tariffs on US$45
# billion of imported steel to 35 per cent"; "Britain suspended its 10 per cent tariff on
# cotton yarn"). Such a sentence is trade policy whatever the goods are, while a commodity
# market report speaks of prices, tonnes and traders instead.

# the cues that name a measure a government takes at the border
MEASURE_CUES = frozenset(
    {"duties", "dumping", "trade_remedy", "tariff", "levy", "border_levy", "surcharge", "border_tax",
     "import_curbs", "export_controls", "export_quota", "quotas", "ban_trade", "embargo",
     "sanctions"}
)  # fmt: skip

# the measures that are tariffs: reported with a rate or a value, they make a story trade
# policy whatever its goods
TARIFF_CUES = frozenset(
    {"duties", "dumping", "trade_remedy", "tariff", "levy", "border_levy", "surcharge", "border_tax"}
)

# who acts: a country (found with `bot.analysis.countries`) or a body of government
GOVERNMENT = (
    r"governments?|administration|prime" + _S + r"minister|premier|chancellor"
    r"|minist(?:er|ers|ry|ries)|secretar(?:y|iat)|department|commission(?:er)?"
    r"|parliament|congress|senate|lawmakers|legislators|white" + _S + r"house|cabinet"
    r"|trade" + _S + r"representative|customs" + _S + r"authorit(?:y|ies)|treasury"
)
# what it does to the measure
ACTION_VERB = (
    r"rais(?:e|es|ed|ing)|hik(?:e|es|ed|ing)|increas(?:e|es|ed|ing)|doubl(?:e|es|ed|ing)"
    r"|tripl(?:e|es|ed|ing)|impos(?:e|es|ed|ing|ition)|slap(?:s|ped|ping)?|introduc(?:e|es|ed"
    r"|ing|tion)|levied|levying|adopt(?:s|ed|ing)?|approv(?:e|es|ed|ing)|extend(?:s|ed|ing)?"
    r"|expand(?:s|ed|ing)?|widen(?:s|ed|ing)?|broaden(?:s|ed|ing)?|reinstat(?:e|es|ed|ing)"
    r"|reimpos(?:e|es|ed|ing)|cut(?:s|ting)?|reduc(?:e|es|ed|ing|tion)|lower(?:s|ed|ing)?"
    r"|slash(?:es|ed|ing)?|lift(?:s|ed|ing)?|remov(?:e|es|ed|ing|al)|scrap(?:s|ped|ping)?"
    r"|abolish(?:es|ed|ing)?|eliminat(?:e|es|ed|ing|ion)|suspen(?:d|ds|ded|ding|sion)"
    r"|waiv(?:e|es|ed|ing|er)|exempt(?:s|ed|ing|ion)?|delay(?:s|ed|ing)?|postpon(?:e|es|ed"
    r"|ing|ement)|defer(?:s|red|ring)?|threat(?:en|ens|ened|ening)?|ban(?:s|ned|ning)?"
    r"|halt(?:s|ed|ing)?|set(?:s|ting)?|cap(?:s|ped|ping)?"
)
# a price per unit is a market's number: a duty set "at 70 ringgit per tonne" is commodity news
PER_UNIT = (
    r"(?:per|a|an)" + _S + r"(?:\d+" + _S + r")?(?:tonnes?|tons?|kilos?|kg|kilograms?|lbs?|pounds?"
    r"|bushels?|ounces?|barrels?|bales?|bags?|litres?|liters?|gallons?)"
)
# how much: a rate ("35 per cent", "48.5%") or a value of goods ("US$45 billion", "300 mln
# dlrs")
RATE = r"\d[\d.,]*\s?(?:%|pct|per" + _S + r"cent|percent)(?!age)|to" + _S + r"zero"
VALUE = (
    r"(?:US|C|A|S|HK|NZ)?\$\s?\d|[£€¥]\s?\d|\d[\d.,]*" + _S + r"(?:mln|million|bln|billion|bn"
    r"|trillion)" + _S + r"(?:dlrs|dollars|stg|pounds|sterling|euros?|yen|yuan|marks|francs"
    r"|won|rupees)"
)
