"""A scripted history of one measure (issue 14), written for the tests in our own words:
a US tariff on Vietnamese furniture is announced, two outlets run copies of the report, it
is delayed, put in force, then lifted. Each is (file name, text) for a watched folder."""

from __future__ import annotations

ANNOUNCE = ('2025-09-02-furniture-tariff.txt', """date 2025-09-02
WASHINGTON (TRADEWATCH) - The United States will put a 25 per cent tariff on US$18 billion of wooden furniture from Vietnam starting on Oct 1, the office of the US Trade Representative said on Tuesday, citing a surge of imports routed through third countries.

Trade Representative Omar Reyes said the duty would cover dining sets, bed frames and office chairs, and that exporters who could prove the goods were made elsewhere would be exempt.

Vietnam's trade ministry said it regretted the move and asked for consultations. Hanoi shipped about US$22 billion of furniture to American buyers last year, making it the largest supplier.

Retailers warned that prices of sofas and wardrobes could climb before the holiday season.
""")

WIRE_COPY = ('2025-09-02-furniture-tariff-wire.txt', """date 2025-09-02
HANOI (Pacific Wire) - Washington said on Tuesday it will put a 25 per cent tariff on US$18 billion of wooden furniture from Vietnam starting on Oct 1, the office of the US Trade Representative said, citing a surge of imports routed through third countries.

Trade Representative Omar Reyes said the duty would cover dining sets, bed frames and office chairs, and that exporters who could prove the goods were made elsewhere would be exempt.

Vietnam's trade ministry said it regretted the move and asked for consultations. Hanoi shipped about US$22 billion of furniture to American buyers last year, making it the largest supplier.

(Reporting by the Pacific Wire Hanoi bureau; editing by the world desk)
""")

SYNDICATED_COPY = ('2025-09-03-furniture-tariff-syndicated.txt', """date 2025-09-03
US to tax Vietnamese furniture from October

WASHINGTON - The United States will put a 25 per cent tariff on US$18 billion of wooden furniture from Vietnam starting on Oct 1, the office of the US Trade Representative said on Tuesday, citing a surge of imports routed through third countries.

Trade Representative Omar Reyes said the duty would cover dining sets, bed frames and office chairs, and that exporters who could prove the goods were made elsewhere would be exempt.

Retailers warned that prices of sofas and wardrobes could climb before the holiday season.

This article was syndicated from a news agency feed.
""")

DELAY = ('2025-09-24-furniture-delay.txt', """date 2025-09-24
WASHINGTON (TRADEWATCH) - The United States delayed its 25 per cent tariff on US$18 billion of Vietnamese furniture until Oct 15, the Trade Representative's office said on Wednesday, to give customs officers time to check claims about where the goods were made.

The duty had been due to take effect on Oct 1. Officials in Hanoi welcomed the extra two weeks and said talks on origin rules would continue in Geneva.
""")

IN_FORCE = ('2025-10-15-furniture-in-force.txt', """date 2025-10-15
WASHINGTON (TRADEWATCH) - The 25 per cent US tariff on US$18 billion of Vietnamese furniture took effect on Wednesday, Oct 15, customs officials said, after a two-week delay.

Importers said the first containers were held at the ports of Long Beach and Savannah while paperwork was checked.
""")

REMOVAL = ('2025-12-01-furniture-removed.txt', """date 2025-12-01
WASHINGTON (TRADEWATCH) - The United States lifted its 25 per cent tariff on US$18 billion of Vietnamese furniture on Monday, the Trade Representative's office said, after Hanoi agreed to tighter checks on where exported goods are made.

Retailers welcomed the removal, which ends a duty that had been in force for seven weeks.
""")

HISTORY = (ANNOUNCE, WIRE_COPY, SYNDICATED_COPY, DELAY, IN_FORCE, REMOVAL)
