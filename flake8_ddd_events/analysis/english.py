"""Does a CamelCase event class name state a past fact?

A compact table plus rules, standard library only, built once at import:

* a word is *past* when it is a regular ``-ed`` form (``Created``, ``Shipped``,
  ``Applied``; ``-eed`` only for ``-ee`` verbs: ``Agreed``, not ``Speed``), an
  irregular past or past participle (``Paid``, ``Sold``, ``Withdrawn``), the
  same with a prefix (``Overpaid``, ``Rewritten``, ``Mistaken``), or a form of
  *be* (``Was``, ``Been``: ``BidWasPlaced``, ``BidderHasBeenOutbid``);
* the deciding word may be anywhere (``ItemAddedToCart``,
  ``UpdatedAttrOnProduct``); particles after it are fine (``UserLoggedIn``);
* verbs whose past equals the present (``Reset``, ``Set``, ``Read``, ``Cut``)
  count only after the first word, at the end of the name or before a
  particle (``PasswordReset``, ``MemberSetAsAttendee``; not ``ResetPassword``,
  ``ReadModel``, ``OrderReadModel``); right after a first word that is a noun
  as often as a verb they count too (``ScheduleReset``, ``PlanSet``:
  the schedule was reset, not "schedule a reset");
* a name that starts with a command verb (``Set``, ``Send``, ``Get``...) needs
  its past word in predicate position: ``CreateOrderFailed`` passes,
  ``SetPaidOrderStatus`` and ``SendWelcomeEmail`` do not;
* a name ending in ``At`` (``OccurredAt``, ``CreatedAt``) names a timestamp;
* ignored at the end, repeatedly: ``Event``, ``DomainEvent``,
  ``IntegrationEvent``, ``Message`` (``PasswordResetMessage`` reads as
  ``PasswordReset``) and version tokens (``V2``, ``v10``, ``_v2``, a bare
  digit run).  ``Command``, ``Request`` and ``Notification`` are *not* ignored.

Suggestions spell British doubling (``Cancelled``, ``Labelled``), the form
used by most DDD samples, and keep the stripped ``Event``/version suffix:
``CreateOrderEventV2`` -> ``OrderCreatedEventV2``.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["split_words", "states_past_fact", "suggest_name"]

_WORD = re.compile(r"[A-Z]+\d*(?![a-z])|[A-Z]?[a-z]+|\d+")

# Irregular verbs: "base past participle"; "/" separates variants.  Forms equal
# to the base are only recognised for verbs whose simple past equals the base
# (set, put, read...): "run", "come", "become" alone never count.
_IRREGULAR = """
abide abode abode|arise arose arisen|awake awoke awoken|be was/were been
bear bore borne/born|beat beat beaten|become became become|befall befell befallen
beget begot begotten|begin began begun|behold beheld beheld|bend bent bent
bereave bereft bereft|beseech besought besought|beset beset beset|bet bet bet
bid bid/bade bid/bidden|bind bound bound|bite bit bitten|bleed bled bled
blow blew blown|break broke broken|breed bred bred|bring brought brought
broadcast broadcast broadcast|build built built|burn burnt/burned burnt/burned
burst burst burst|buy bought bought|cast cast cast|catch caught caught
choose chose chosen|cling clung clung|come came come|cost cost cost
creep crept crept|cut cut cut|deal dealt dealt|dig dug dug|dive dove dived
do did done|draw drew drawn|dream dreamt dreamt|drink drank drunk
drive drove driven|dwell dwelt dwelt|eat ate eaten|fall fell fallen|feed fed fed
feel felt felt|fight fought fought|find found found|flee fled fled
fling flung flung|fly flew flown|forbid forbade forbidden|forecast forecast forecast
forget forgot forgotten|forgive forgave forgiven|forgo forwent forgone
forsake forsook forsaken|forswear forswore forsworn|freeze froze frozen
get got got/gotten|give gave given|go went gone|grind ground ground
grow grew grown|hang hung hung|have had had|hear heard heard|hew hewed hewn
hide hid hidden|hit hit hit|hold held held|hurt hurt hurt|keep kept kept
kneel knelt knelt|know knew known|lay laid laid|lead led led|lean leant leant
leap leapt leapt|learn learnt learnt|leave left left|lend lent lent|let let let
lie lay lain|light lit lit|lose lost lost|make made made|mean meant meant
meet met met|misunderstand misunderstood misunderstood|mow mowed mown
oversee oversaw overseen|foresee foresaw foreseen|pay paid paid|prove proved proven
put put put|quit quit quit|read read read|rid rid rid|ride rode ridden
ring rang rung|rise rose risen|run ran run|say said said|see saw seen
seek sought sought|sell sold sold|send sent sent|set set set|sew sewed sewn
shake shook shaken|shear sheared shorn|shed shed shed|shine shone shone
shoot shot shot|show showed shown|shrink shrank shrunk|shut shut shut
sing sang sung|sink sank sunk|sit sat sat|slay slew slain|sleep slept slept
slide slid slid|sling slung slung|slit slit slit|smell smelt smelt|sow sowed sown
speak spoke spoken|speed sped sped|spell spelt spelt|spend spent spent
spill spilt spilt|spin spun spun|spit spat spat|split split split|spoil spoilt spoilt
spread spread spread|spring sprang sprung|stand stood stood|steal stole stolen
stick stuck stuck|sting stung stung|stink stank stunk|strew strewed strewn
stride strode stridden|strike struck struck/stricken|string strung strung
strive strove striven|swear swore sworn|sweep swept swept|swell swelled swollen
swim swam swum|swing swung swung|take took taken|teach taught taught
tear tore torn|tell told told|think thought thought|thrive throve thriven
throw threw thrown|thrust thrust thrust|tread trod trodden|wake woke woken
wear wore worn|weave wove woven|weep wept wept|win won won|wind wound wound
wring wrung wrung|write wrote written|undo undid undone|unfreeze unfroze unfrozen
unwind unwound unwound|unstick unstuck unstuck|unmake unmade unmade|unset unset unset
reset reset reset|upset upset upset|preset preset preset
offset offset offset|typeset typeset typeset|sublet sublet sublet
webcast webcast webcast|telecast telecast telecast|simulcast simulcast simulcast
outbid outbid outbid|overbid overbid overbid|underbid underbid underbid
"""

# Look like pasts (or are irregular forms) but name things far more often.
# Judgement calls: "cost", "bid", "bet", "cast", "forecast", "spread", "offset"
# are noun-dominant in class names (ShippingCost, PlaceBid, WeatherForecast,
# ConsumerOffset); "outbid" still counts.  "ground", "wound", "bound", "shot",
# "bit", "saw", "lay", "beat" likewise (Background, UpperBound, SnapShot,
# Heartbeat).  "Red", "Bed", "Fed" are too short for the -ed rule anyway.
_NOT_PAST = frozenset("""
hundred kindred hatred sacred naked wicked rugged ragged jagged crooked wretched
beloved infrared sled shred embed imbed testbed seabed hotbed flowerbed riverbed
sunbed airbed waterbed biped bloodshed watershed ahmed mohammed mohamed unwed
cost bid bet cast forecast spread offset input output throughput outcast outlet
outset outbound present ground wound bound shot bit saw lay beat unknown unseen
""".split())

# Verbs whose past and participle equal the base, beyond those in the table:
# nothing here; same-form verbs are derived from the table.

# Prefixes that keep an irregular form irregular: Overpaid, Rewritten, Upheld.
_PREFIXES = ("over", "under", "with", "fore", "out", "mis", "pre", "re", "up")

# -ee verbs, the only ones whose "-eed" is a past: Agreed (not Speed, Need).
_EE_VERBS = frozenset("free agree disagree guarantee decree referee tee emcee".split())

# Words that may follow a predicate past: UserLoggedIn, MemberSetAsAttendee.
_PARTICLES = frozenset("""
as to on by for from in into onto out off up down back over at via with without
after before during again and or manually automatically successfully externally
remotely locally early late twice
""".split())

# Be-forms and "got": BidWasPlaced, BidderHasBeenOutbid.
_AUX_PAST = frozenset("was were been".split())

# Participles that, first and followed by a noun, are adjectives: SharedKernel,
# IdentifiedCommand, ScheduledJob.  Alone or before a particle they still count.
_ADJECTIVAL = frozenset("""
shared nested embedded mixed advanced detailed limited distributed related
expected reserved supported preferred required scheduled named typed sorted
cached computed derived encrypted paged paginated filtered estimated identified
priced
""".split())

# Noun compounds of a same-form verb: ChangeSet, ResultSet, ToolShed, ShortCut.
_NOUN_COMPOUNDS = frozenset(
    tuple(pair.split("+"))
    for pair in """
change+set result+set data+set rule+set feature+set permission+set tool+set
skill+set char+set mind+set sub+set super+set head+set test+set record+set
value+set key+set field+set option+set type+set short+cut hair+cut tool+shed
""".split()
)

# Verbs a name may start with as a command (CreateOrder) or end with
# (OrderCreate); irregular ones take their participle from the table.
_VERBS = frozenset("""
accept acknowledge activate add adjust apply plan allocate approve archive arrive assign
attach authenticate authorise authorize block book bill buy calculate cancel
capture change charge check claim clean close collect commit complete confirm
connect create deactivate deallocate decline decrease delete deliver deny deploy
deposit detach disable dispatch download draft drop edit elect enable end enrol
enroll escalate evaluate expire export fail fetch finalise finalize finish flag
fulfil fulfill generate get give grant hire hold import increase increment initiate
install invalidate invite issue join launch leave link load lock log
make mark merge migrate modify move notify open pay pick place post process
promote publish purchase put rate receive redeem refresh refund register reject
release reload remind remove rename renew reopen replace reserve reset resolve
restore resume retry return revoke review save schedule select sell send set
settle ship sign start stop store submit subscribe suspend sync take terminate
transfer undo unassign unblock unlink unlock unpublish unsubscribe update upload
validate verify void withdraw write rebuild rewrite freeze unfreeze choose forget
hide split shut quit begin draw cut
""".split())

# Verbs that are mostly nouns as a first word (OrderShipped, BookReturned): they
# do not make a name a command, though "BookRoom" may still be suggested.
_NOUNISH = frozenset("""
book bill charge check claim deposit draft end flag hold link load lock
order post rate return review transfer void cut split
""".split())

# Command verbs that are as often nouns: as the first word right before a verb whose
# past equals its present they are the subject (ScheduleReset, PlanSet, BudgetCut).
_NOUN_VERBS = frozenset("""
archive block capture change commit decline decrease dispatch download drop edit export
finish grant import increase increment issue launch log mark merge move pay pick place
plan process purchase refund release reserve restore retry schedule ship sign start stop
store sync update upload
""".split())

# Nouns that name an action: UserRegistration -> UserRegistered.
_NOMINAL = dict(
    pair.split("=")
    for pair in """
creation=create registration=register cancellation=cancel confirmation=confirm
activation=activate deactivation=deactivate deletion=delete completion=complete
submission=submit addition=add removal=remove approval=approve rejection=reject
renewal=renew expiration=expire expiry=expire subscription=subscribe payment=pay
shipment=ship placement=place assignment=assign withdrawal=withdraw
delivery=deliver arrival=arrive failure=fail publication=publish
verification=verify validation=validate authorization=authorize
authorisation=authorise authentication=authenticate invitation=invite
acceptance=accept reservation=reserve allocation=allocate
deallocation=deallocate modification=modify suspension=suspend
termination=terminate enrollment=enroll enrolment=enrol purchase=purchase
sale=sell restoration=restore closure=close redemption=redeem migration=migrate
installation=install deployment=deploy promotion=promote adjustment=adjust
settlement=settle fulfillment=fulfill fulfilment=fulfil selection=select
acknowledgement=acknowledge acknowledgment=acknowledge commitment=commit
revocation=revoke generation=generate calculation=calculate
notification=notify refund=refund update=update change=change
""".split()
)

# One-word phrasal nouns: UserLogin -> UserLoggedIn, Checkout -> CheckedOut.
_PHRASAL = {
    "login": ("log", "In"), "logon": ("log", "On"), "logout": ("log", "Out"),
    "signin": ("sign", "In"), "signup": ("sign", "Up"), "signout": ("sign", "Out"),
    "checkin": ("check", "In"), "checkout": ("check", "Out"),
    "setup": ("set", "Up"), "shutdown": ("shut", "Down"),
    "rollback": ("roll", "Back"), "cleanup": ("clean", "Up"),
    "pickup": ("pick", "Up"), "payout": ("pay", "Out"), "writeoff": ("write", "Off"),
    "optin": ("opt", "In"), "optout": ("opt", "Out"), "failover": ("fail", "Over"),
    "handover": ("hand", "Over"), "takeover": ("take", "Over"),
}

# Polysyllables that double their last consonant (monosyllables follow the rule).
_DOUBLING = frozenset("""
cancel label travel model signal level fuel total control patrol refer prefer
transfer occur recur incur confer defer submit commit admit permit omit emit
transmit regret compel expel propel equip unpin unzip unplug unwrap format embed
overlap enrol instil distil fulfil dispel acquit allot program
""".split())

# Last words that make a name a data structure, not a fact: a past word before
# them needs predicate position (OrderPlacedPayload and CouponConfirmedCommand
# fail; ItemAddedToCartPayload would not).
_HEADS = frozenset("""
payload data dto info details model response query handler request command cmd
schema status type state config settings options id
""".split())

_COMMAND_SUFFIXES = frozenset("command cmd request".split())
# Where a suggestion puts the participle: SignOffMemberFromWaitlist ->
# MemberSignedOffFromWaitlist.
_PREPOSITIONS = frozenset("to from as by for in on at into onto with via".split())
# words that open a phrase a trailing noun belongs to (suggesting a participle there is wrong)
_PHRASE_WORDS = _PREPOSITIONS | frozenset("of ahead before after since until about".split())
_VERB_PARTICLES = frozenset("in out up off down back over on".split())
_VOWELS = frozenset("aeiou")


def _build() -> tuple[frozenset[str], frozenset[str], dict[str, str]]:
    """Past forms, same-form verbs and base -> participle from the table."""
    past: set[str] = set()
    same: set[str] = set()
    participle: dict[str, str] = {}
    for entry in _IRREGULAR.replace("\n", "|").split("|"):
        if not entry.strip():
            continue
        base, simple, parts = entry.split()
        simples, participles = simple.split("/"), parts.split("/")
        participle[base] = participles[0]
        if base in simples:
            same.add(base)
        past.update(f for f in simples + participles if f != base)
    past |= {"rewound", "unwound", "undone"}
    return frozenset(past - _NOT_PAST), frozenset(same - _NOT_PAST), participle


_PAST_FORMS, _SAME_FORM, _PARTICIPLE = _build()


def split_words(name: str) -> list[str]:
    """Split a CamelCase, acronym, digit or snake_case name into words.

    ``"HTTPRequestFailedV2"`` -> ``["HTTP", "Request", "Failed", "V2"]``.
    """
    words: list[str] = []
    for token in _WORD.findall(name):
        if token.isdigit() and words and words[-1] in ("v", "V"):
            words[-1] += token
        else:
            words.append(token)
    return words


def _is_version(word: str) -> bool:
    return word.isdigit() or (word[:1] in "vV" and word[1:].isdigit() and len(word) > 1)


def _split_suffix(words: list[str]) -> tuple[list[str], list[str]]:
    """Split off trailing ``Event``/``DomainEvent``/``IntegrationEvent``/
    ``Message`` and version words; returns (core, suffix)."""
    end = len(words)
    while end:
        last = words[end - 1].lower()
        if _is_version(words[end - 1]) or last == "message":
            end -= 1
        elif last == "event":
            end -= 1
            if end and words[end - 1].lower() in ("domain", "integration"):
                end -= 1
        else:
            break
    return words[:end], words[end:]


def _kind(word: str) -> str | None:
    """``"past"``, ``"same"`` (past equals present) or None."""
    if len(word) > 1 and word.isupper() or word.isdigit():
        return None  # acronyms (LED, HTTP) and numbers are not words
    w = word.lower()
    if w in _NOT_PAST:
        return None
    if w in _SAME_FORM:
        return "same"
    if w in _PAST_FORMS or w in _AUX_PAST:
        return "past"
    for prefix in _PREFIXES:
        rest = w[len(prefix):]
        if w.startswith(prefix) and len(rest) >= 3:
            if rest in _NOT_PAST:
                return None
            if rest in _SAME_FORM:
                return "same"
            if rest in _PAST_FORMS:
                return "past"
    if len(w) >= 4 and w.endswith("ed"):
        if w.endswith("eed"):
            return "past" if w[:-1] in _EE_VERBS else None
        return "past"
    return None


def _norm(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


@lru_cache(maxsize=64)
def _allowed(allow: frozenset[str]) -> frozenset[str]:
    return frozenset(filter(None, map(_norm, allow)))


def _contains(words: list[str], allowed: frozenset[str]) -> bool:
    """Does any run of consecutive words spell an allowed word or name?"""
    return any(
        "".join(words[i:j]) in allowed
        for i in range(len(words))
        for j in range(i + 1, len(words) + 1)
    )


@lru_cache(maxsize=4096)
def states_past_fact(name: str, allow: frozenset[str] = frozenset()) -> bool:
    """True when the class name states a past fact (see the module docstring).

    ``allow`` holds words or whole names a team accepts (``"OutOfStock"``),
    compared case-insensitively; any of them appearing in the name passes it.
    """
    words, _ = _split_suffix(split_words(name))
    lower = [w.lower() for w in words]
    if allow:
        if _contains([w.lower() for w in split_words(name)], _allowed(frozenset(allow))):
            return True
    if not words or lower[-1] == "at":
        return False  # OccurredAt, CreatedAt: a timestamp, not a fact
    last = len(words) - 1
    # a command (SetPaidOrderStatus) or a data shape (OrderPlacedPayload)
    strict = (lower[0] in _VERBS and lower[0] not in _NOUNISH) or lower[last] in _HEADS
    # ... unless a noun-or-verb is followed by a same-form verb (ScheduleReset)
    subject_first = lower[0] in _NOUN_VERBS and lower[last] not in _HEADS

    def predicate(i: int) -> bool:
        return i == last or lower[i + 1] in _PARTICLES

    for i, word in enumerate(words):
        kind = _kind(word)
        if kind == "past":
            if i == 0 and lower[0] in _ADJECTIVAL and not predicate(0):
                continue
            if strict and i > 0 and not predicate(i):
                continue
            return True
        if kind == "same" and i > 0 and (not strict or i == 1 and subject_first) and predicate(i):
            if (lower[i - 1], lower[i]) not in _NOUN_COMPOUNDS:
                return True
    return False


def _participle(verb: str) -> str:
    """Past participle of a base verb: pay -> paid, ship -> shipped."""
    if verb in _PARTICIPLE:
        return _PARTICIPLE[verb]
    for prefix in _PREFIXES:  # withdraw -> withdrawn, rebuild -> rebuilt
        if verb.startswith(prefix) and verb[len(prefix):] in _PARTICIPLE:
            return prefix + _PARTICIPLE[verb[len(prefix):]]
    if verb.endswith("e"):
        return verb + "d"
    if verb.endswith("y") and verb[-2:-1] not in _VOWELS:
        return verb[:-1] + "ied"
    if verb.endswith("c"):
        return verb + "ked"
    groups = sum(1 for i, c in enumerate(verb) if c in _VOWELS and verb[i - 1:i] not in _VOWELS)
    cvc = (
        len(verb) >= 3
        and verb[-1] not in _VOWELS | {"w", "x", "y"}
        and verb[-2] in _VOWELS
        and verb[-3] not in _VOWELS
    )
    if verb in _DOUBLING or (cvc and groups == 1):
        return verb + verb[-1] + "ed"
    return verb + "ed"


def _as_verb(word: str) -> tuple[str, str] | None:
    """(verb, particle) named by a last word: Create, Creation, Shipping, Login."""
    w = word.lower()
    if w in _PHRASAL:
        return _PHRASAL[w]
    if w in _VERBS:
        return w, ""
    if w in _NOMINAL:
        return _NOMINAL[w], ""
    if w.endswith("ing") and w != "setting":
        stem = w[:-3]
        for verb in (stem, stem + "e", stem[:-1] if stem[-1:] == stem[-2:-1] else ""):
            if verb in _VERBS:
                return verb, ""
    return None


def suggest_name(name: str) -> str | None:
    """A past-tense name derived from a non-past one, or None.

    ``CreateOrder`` and ``OrderCreation`` -> ``OrderCreated``; ``CancelOrderItem``
    -> ``OrderItemCancelled``; a stripped ``Event``/version suffix is kept.
    Whatever is returned passes :func:`states_past_fact`.
    """
    if states_past_fact(name):
        return None
    core, suffix = _split_suffix(split_words(name))
    while core and core[-1].lower() in _COMMAND_SUFFIXES:
        core.pop()
    if not core:
        return None
    first = core[0].lower()
    phrasal = len(core) > 2 and core[1].lower() in _VERB_PARTICLES  # CheckOutCart
    command = first in _VERBS and (first not in _NOUNISH or phrasal)
    tail = _as_verb(core[-1])
    if not command and core[-1].lower() in _HEADS:
        return None  # HoldStatus, CheckoutStatus, MeetingDetailsQuery
    if command and len(core) > 1:
        verb, particle, subject = first, "", core[1:]
        if subject[0].lower() in _VERB_PARTICLES and len(subject) > 1:
            particle, subject = subject[0].capitalize(), subject[1:]
    elif first in _PHRASAL and len(core) > 1:
        (verb, particle), subject = _PHRASAL[first], core[1:]
    elif tail and len(core) > 1:
        if any(w.lower() in _PHRASE_WORDS for w in core[:-1]):
            return None  # ThreeDaysAheadOfOrderConfirmation: the noun ends a phrase
        (verb, particle), subject = tail, core[:-1]
    elif tail and (command or first in _PHRASAL):
        (verb, particle), subject = tail, []
    else:
        return None
    if verb in ("get", "fetch"):
        return None  # queries are not events
    at = next((j for j, w in enumerate(subject) if w.lower() in _PREPOSITIONS), len(subject))
    if subject and not at:
        return None  # SetAsDefault: nothing to put before the participle
    past = _participle(verb).capitalize() + particle
    candidate = "".join(subject[:at]) + past + "".join(subject[at:]) + "".join(suffix)
    return candidate if states_past_fact(candidate) else None
