"""The "Find sources" message command end to end: real discord.py against the local Discord."""

from __future__ import annotations

from pathlib import Path

from bot.app import Cooldown
from bot.app._find_sources import EMPTY_TEXT, LEFT_OUT
from bot.app._markdown import readable_text
from tests.stand_in.harness import BotHandle, StartBot

FA_URL = "https://www.foreignaffairs.com/articles/north-korea/2015-05-28/outsourcing-oppression"
CLAIMS = (
    "North Korean workers abroad earn billions a year for the government. lol. "
    "The payments were made in hard currency!\nI had pizza for lunch today."
)


def _embed_size(embed: dict[str, object]) -> int:
    fields = embed.get("fields") or []
    assert isinstance(fields, list)
    return (
        len(str(embed.get("title", "")))
        + len(str(embed.get("description", "")))
        + sum(len(f["name"]) + len(f["value"]) for f in fields)
        + len(str((embed.get("footer") or {}).get("text", "")))  # type: ignore[union-attr]
    )


async def test_each_claim_quoted_with_its_fact_and_source(bot: BotHandle) -> None:
    rec = await bot.find_sources(CLAIMS)
    assert rec.ephemeral  # only the member who asked sees it
    (embed,) = rec.embeds
    assert embed["title"] == "Sources for this message"
    lines = embed["description"].splitlines()
    assert lines[0] == "**“North Korean workers abroad earn billions a year for the government.”**"
    assert lines[1].startswith("→ [1] North Korean workers abroad were estimated to earn")
    assert lines[1].endswith("*(As of 2015.)*")
    assert lines[2] == "**“The payments were made in hard currency!”**"
    assert (
        lines[3] == "→ [2] The payments to the North Korean government were made in hard currency."
    )
    assert lines[4] == "Not in the book: “I had pizza for lunch today.”"
    assert "read it before you cite it" in embed["description"]
    assert [f["name"] for f in embed["fields"]] == [
        "\\[1\\] Foreign Affairs · 2015-05-28",
        "\\[2\\] Foreign Affairs · 2015-05-28",
    ]
    assert FA_URL in embed["fields"][0]["value"]
    assert embed["footer"]["text"].endswith("facts: nk-revenue-estimate, nk-hard-currency")
    assert rec.labels() == ["Post in channel"]
    assert rec.final["allowed_mentions"] == {"parse": []}


async def test_a_message_the_book_does_not_cover_gets_suggestions_to_press(
    bot: BotHandle,
) -> None:
    rec = await bot.find_sources("The weather in Paris was lovely on our holiday trip.")
    assert rec.ephemeral
    (embed,) = rec.embeds
    assert embed["title"] == "Not in the book"
    assert embed["description"].startswith("No fact in the book matches this message.\nTry ")
    labels = rec.labels()
    assert labels and set(labels) <= {
        "North Korean overseas labour",
        "Global estimates of forced labour",
    }
    summary = await bot.press(rec, labels[0])  # a suggestion runs the look-up, privately
    assert summary.ephemeral and summary.embeds[0]["title"] == labels[0]
    assert "Post in channel" in summary.labels()


async def test_an_image_only_message_has_no_text_to_check(bot: BotHandle) -> None:
    for content, images in (("", 1), ("https://cdn.example/cat.png", 0), ("<@1234567890123>", 0)):
        rec = await bot.find_sources(content, attachments=images)
        assert rec.ephemeral and rec.content == EMPTY_TEXT
        assert not rec.embeds and not rec.buttons


async def test_code_links_and_mentions_are_left_out_and_nothing_is_echoed_raw(
    bot: BotHandle,
) -> None:
    hostile = (
        "@everyone <@&1234567890123456789> says **the payments were in hard currency** "
        "||spoiler|| https://evil.example/x [click](https://evil.example/y)\n"
        "```py\nNorth Korean workers abroad earn billions a year\n```\n"
        "> # `nk revenue` <#1300000000000000001> the government received hard currency"
    )
    rec = await bot.find_sources(hostile)
    text = rec.text()
    assert "@everyone" not in text and "<@&" not in text and "<#" not in text
    assert "evil.example" not in text and "||" not in text and "**the" not in text
    assert "```" not in text
    assert LEFT_OUT in text
    description = rec.embeds[0]["description"]
    assert "nk-revenue-estimate" not in rec.embeds[0]["footer"]["text"]  # code was not read
    assert "hard currency" in description


async def test_a_long_message_stays_within_discord_limits(bot: BotHandle) -> None:
    sentence = (
        "North Korean workers abroad earned hard currency for the government in {} "
        "and the payments reached billions, as the interviews with twenty workers showed."
    )
    long = " ".join(sentence.format(2000 + i) for i in range(40))[:4000]
    rec = await bot.find_sources(long)
    (embed,) = rec.embeds
    assert embed["title"] == "Sources for this message"  # each sentence's clauses matched
    assert "Checked the first 10 sentences;" in embed["description"]
    assert len(embed["description"]) <= 4096 and _embed_size(embed) <= 6000
    assert len(embed.get("fields") or []) <= 25


async def test_find_sources_is_private_so_never_rate_limited(
    start_bot: StartBot, facts_file: Path
) -> None:
    handle = await start_bot(facts_file, cooldown=Cooldown(1, 60.0))
    for _ in range(4):
        rec = await handle.find_sources("The payments were made in hard currency.")
        assert rec.embeds and "try again" not in rec.content


def test_readable_text_keeps_the_prose() -> None:
    text, left_out = readable_text(
        "**Bold** claim about _Russia_ logging.\nSee [this report](https://y.org/r) "
        "<t:1700000000:R> <:pepe:123>\n- item `code`\n```\nprint(1)\n```"
    )
    assert text == "Bold claim about Russia logging.\nSee this report\nitem"
    assert left_out
    assert readable_text("plain words") == ("plain words", False)
    assert readable_text("https://only.example/link") == ("", True)
