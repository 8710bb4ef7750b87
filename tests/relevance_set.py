"""What a reader of the demo content expects from search and from "You may also like".

Written from the stories themselves, before Newsroom ranked anything by relevance, and not tuned
afterwards: each expected story has a grade (2: what the reader came for, 1: also worth showing)
and a one-line reason. Stories not listed count as not relevant. The score is nDCG@5 (normalised
discounted cumulative gain over the first five results), averaged over the queries.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

K = 5


@dataclass(frozen=True, slots=True)
class Expected:
    slug: str
    grade: int
    reason: str


def _e(slug: str, grade: int, reason: str) -> Expected:
    return Expected(slug, grade, reason)


# What `articles(filter: {search: ...})` should put first.
SEARCHES: dict[str, list[Expected]] = {
    "Kursk": [
        _e("north-korean-troops-pulled-back-from-kursk-front-lines", 2, "Kursk in the headline"),
        _e("ukraine-captures-two-north-korean-soldiers-in-kursk", 2, "Kursk in the headline"),
        _e(
            "north-korean-casualties-in-russia-near-4000-seoul-lawmaker-says",
            1,
            "losses of the troops sent to Kursk",
        ),
        _e("north-korea-sends-3000-more-troops-to-russia", 1, "recaps the Kursk deployment"),
    ],
    "Putin Murmansk": [
        _e("putin-eyes-arctic-power-hints-at-us-cooperation", 2, "Putin's speech in Murmansk"),
    ],
    "quakes": [
        _e(
            "massive-earthquake-kills-over-694-and-injures-1600-in-myanmar-and-thailand",
            2,
            "the quake itself",
        ),
        _e("rescuers-search-rubble-as-myanmar-quake-toll-rises", 2, "quake in the headline"),
        _e("search-continues-at-collapsed-bangkok-tower-after-quake", 2, "quake in the headline"),
        _e("why-myanmars-sagaing-fault-produced-such-a-powerful-quake", 2, "why the quake hit"),
        _e("myanmar-announces-truce-as-quake-death-toll-climbs", 1, "a truce for quake relief"),
    ],
    "North Korean soldiers": [
        _e("ukraine-captures-two-north-korean-soldiers-in-kursk", 2, "the phrase, in the headline"),
        _e("north-korean-troops-pulled-back-from-kursk-front-lines", 2, "North Korean troops"),
        _e(
            "north-korean-casualties-in-russia-near-4000-seoul-lawmaker-says",
            2,
            "North Korean soldiers killed and wounded",
        ),
        _e("north-korea-sends-3000-more-troops-to-russia", 2, "3,000 more soldiers sent"),
        _e(
            "russian-envoy-says-north-korea-treated-wounded-russian-soldiers",
            1,
            "soldiers and North Korea, the other way round",
        ),
    ],
    "Gaza ceasefire": [
        _e("gaza-ceasefire-takes-effect-as-first-hostages-are-freed", 2, "the ceasefire begins"),
        _e("israel-resumes-strikes-on-gaza-ending-ceasefire", 2, "the ceasefire ends"),
        _e("hundreds-protest-against-hamas-in-gaza-the-largest-since-the-war", 1, "Gaza after it"),
        _e("aid-workers-killed-and-missing-in-gaza-as-israeli-blockade-continues", 1, "Gaza now"),
    ],
    "Black Sea truce": [
        _e("what-russia-wants-in-return-for-a-black-sea-truce", 2, "the phrase, in the headline"),
        _e("russia-and-ukraine-agree-to-halt-attacks-in-black-sea", 2, "the Black Sea deal"),
        _e("trump-and-putin-agree-to-pause-strikes-on-energy-infrastructure", 1, "the talks"),
        _e("european-leaders-meet-in-paris-on-ukraine-security", 1, "reacts to the deal"),
    ],
    "wildfires": [
        _e("at-least-18-killed-in-south-koreas-deadliest-wildfires-ever", 2, "wildfires, headline"),
        _e("south-korea-counts-losses-as-deadliest-wildfires-are-contained", 2, "wildfires"),
        _e("wind-driven-wildfires-tear-through-los-angeles-area", 2, "wildfires, headline"),
    ],
    "Signal chat": [
        _e("intelligence-chiefs-questioned-by-senators-over-signal-chat", 2, "the Signal chat"),
        _e(
            "trump-officials-criticize-journalist-over-leaked-signal-chat-exposure",
            2,
            "the Signal chat",
        ),
    ],
    "Greenland": [
        _e("greenland-votes-in-election-shaped-by-us-interest", 2, "Greenland's election"),
        _e("vance-visits-us-military-base-in-greenland", 2, "Vance in Greenland"),
        _e("putin-eyes-arctic-power-hints-at-us-cooperation", 1, "Putin on Greenland"),
    ],
    "deportations": [
        _e("judge-blocks-deportations-under-alien-enemies-act", 2, "deportations blocked"),
        _e(
            "venezuelans-deported-to-mega-prison-face-harsh-inescapable-conditions",
            2,
            "the deported Venezuelans",
        ),
        _e("trump-sworn-in-signs-orders-on-border-and-immigration", 1, "the orders behind them"),
        _e(
            "turkish-student-at-tufts-university-handcuffed-by-masked-individuals",
            1,
            "a student facing deportation",
        ),
    ],
    "Hezbollah Beirut": [
        _e(
            "israel-strikes-southern-beirut-after-accusing-hezbollah-of-rocket-fire",
            2,
            "both words, headline",
        ),
        _e("crowds-gather-in-beirut-for-nasrallah-funeral", 2, "Hezbollah's leader, in Beirut"),
        _e(
            "israeli-troops-stay-in-southern-lebanon-after-withdrawal-deadline",
            1,
            "Hezbollah's south",
        ),
    ],
    "ballistic missiles": [
        _e("north-korea-fires-ballistic-missiles-as-allied-drills-begin", 2, "the phrase"),
        _e("north-korea-test-fires-hypersonic-missile", 2, "a ballistic missile launch"),
        _e("north-korea-sends-3000-more-troops-to-russia", 1, "missiles supplied to Russia"),
    ],
}

# What `related` should list first for each article.
RELATED: dict[str, list[Expected]] = {
    "north-korea-sends-3000-more-troops-to-russia": [
        _e("north-korean-troops-pulled-back-from-kursk-front-lines", 2, "same troops, Kursk"),
        _e(
            "north-korean-casualties-in-russia-near-4000-seoul-lawmaker-says",
            2,
            "their casualties",
        ),
        _e("ukraine-captures-two-north-korean-soldiers-in-kursk", 2, "their soldiers captured"),
        _e(
            "russian-envoy-says-north-korea-treated-wounded-russian-soldiers",
            2,
            "the same alliance",
        ),
        _e("shoigu-visits-pyongyang-conveys-putin-greetings-to-kim", 1, "Shoigu's visit"),
        _e("us-concerned-russia-could-share-space-technology-with-north-korea", 1, "the payback"),
        _e("north-korea-tests-ai-powered-attack-drones", 1, "drones with Russian parts"),
    ],
    "massive-earthquake-kills-over-694-and-injures-1600-in-myanmar-and-thailand": [
        _e("rescuers-search-rubble-as-myanmar-quake-toll-rises", 2, "the same quake, rescue"),
        _e("why-myanmars-sagaing-fault-produced-such-a-powerful-quake", 2, "why it struck"),
        _e("search-continues-at-collapsed-bangkok-tower-after-quake", 2, "the same quake, Bangkok"),
        _e("myanmar-announces-truce-as-quake-death-toll-climbs", 2, "the same quake, later"),
    ],
    "russia-and-ukraine-agree-to-halt-attacks-in-black-sea": [
        _e("what-russia-wants-in-return-for-a-black-sea-truce", 2, "the same deal's price"),
        _e("trump-and-putin-agree-to-pause-strikes-on-energy-infrastructure", 2, "the talks"),
        _e("ukraine-backs-us-proposal-for-30-day-ceasefire", 1, "the ceasefire push"),
        _e("european-leaders-meet-in-paris-on-ukraine-security", 1, "Europe's answer"),
        _e("russian-drone-attack-injures-nine-in-kharkiv", 1, "the war goes on"),
    ],
    "israel-resumes-strikes-on-gaza-ending-ceasefire": [
        _e("gaza-ceasefire-takes-effect-as-first-hostages-are-freed", 2, "the ceasefire it ended"),
        _e(
            "aid-workers-killed-and-missing-in-gaza-as-israeli-blockade-continues",
            2,
            "Gaza since",
        ),
        _e("hundreds-protest-against-hamas-in-gaza-the-largest-since-the-war", 1, "Gaza since"),
        _e(
            "israel-strikes-southern-beirut-after-accusing-hezbollah-of-rocket-fire",
            1,
            "Israel's other front",
        ),
    ],
    "at-least-18-killed-in-south-koreas-deadliest-wildfires-ever": [
        _e("south-korea-counts-losses-as-deadliest-wildfires-are-contained", 2, "same fires"),
        _e("wind-driven-wildfires-tear-through-los-angeles-area", 1, "other wildfires"),
    ],
    "intelligence-chiefs-questioned-by-senators-over-signal-chat": [
        _e(
            "trump-officials-criticize-journalist-over-leaked-signal-chat-exposure",
            2,
            "the same chat",
        ),
        _e("ap-barred-from-oval-office-events-over-gulf-of-mexico-style", 1, "White House, press"),
    ],
    "greenland-votes-in-election-shaped-by-us-interest": [
        _e("vance-visits-us-military-base-in-greenland", 2, "Greenland and the U.S."),
        _e("putin-eyes-arctic-power-hints-at-us-cooperation", 1, "the Arctic contest"),
    ],
    "judge-blocks-deportations-under-alien-enemies-act": [
        _e(
            "venezuelans-deported-to-mega-prison-face-harsh-inescapable-conditions",
            2,
            "the same deportations",
        ),
        _e("trump-sworn-in-signs-orders-on-border-and-immigration", 1, "the policy"),
        _e("turkish-student-at-tufts-university-handcuffed-by-masked-individuals", 1, "detentions"),
    ],
    "crowds-gather-in-beirut-for-nasrallah-funeral": [
        _e(
            "israel-strikes-southern-beirut-after-accusing-hezbollah-of-rocket-fire",
            2,
            "Hezbollah, Beirut",
        ),
        _e(
            "israeli-troops-stay-in-southern-lebanon-after-withdrawal-deadline",
            2,
            "Hezbollah, Lebanon",
        ),
    ],
    "shoigu-visits-pyongyang-conveys-putin-greetings-to-kim": [
        _e(
            "russian-envoy-says-north-korea-treated-wounded-russian-soldiers",
            2,
            "Russia and North Korea",
        ),
        _e(
            "us-concerned-russia-could-share-space-technology-with-north-korea",
            2,
            "Russia and North Korea",
        ),
        _e("north-korea-sends-3000-more-troops-to-russia", 1, "what the alliance sends"),
        _e("north-korea-tests-ai-powered-attack-drones", 1, "Kim, Russian parts"),
    ],
    "turkish-student-at-tufts-university-handcuffed-by-masked-individuals": [
        _e(
            "venezuelans-deported-to-mega-prison-face-harsh-inescapable-conditions",
            2,
            "immigration detentions",
        ),
        _e("judge-blocks-deportations-under-alien-enemies-act", 2, "deportations"),
        _e("trump-sworn-in-signs-orders-on-border-and-immigration", 1, "the policy"),
    ],
    "putin-eyes-arctic-power-hints-at-us-cooperation": [
        _e("greenland-votes-in-election-shaped-by-us-interest", 2, "the Arctic, the U.S."),
        _e("vance-visits-us-military-base-in-greenland", 2, "the Arctic, the U.S."),
        _e("trump-and-putin-agree-to-pause-strikes-on-energy-infrastructure", 1, "Putin and Trump"),
    ],
}


def ndcg(ranked: Sequence[str], expected: Sequence[Expected], k: int = K) -> float:
    """Normalised discounted cumulative gain of `ranked` over its first `k` results."""
    grades = {item.slug: item.grade for item in expected}

    def gain(grade: int, position: int) -> float:
        return float(2**grade - 1) / math.log2(position + 2)

    found = sum(gain(grades.get(slug, 0), i) for i, slug in enumerate(ranked[:k]))
    best = sum(gain(grade, i) for i, grade in enumerate(sorted(grades.values(), reverse=True)[:k]))
    return found / best if best else 0.0


def mean_ndcg(
    results: Mapping[str, Sequence[str]], judgments: Mapping[str, Sequence[Expected]]
) -> float:
    """The mean nDCG@K over every judged query, from each query's ranked slugs."""
    scores = [ndcg(results.get(query, []), judgments[query]) for query in judgments]
    return sum(scores) / len(scores)
